import { ConfigurationError } from "../core/errors";
import { required, settings } from "../core/settings";

export interface QualyticsCredentials {
  /** Host of the instance, e.g. `acme.qualytics.io`. */
  host: string;
  /** Path prefix of the API on that host (`/api` on Qualytics' own deployments). */
  basePath: string;
  token: string;
}

/**
 * Splits what people configure as their Qualytics instance (`https://acme.qualytics.io`,
 * `https://acme.qualytics.io/api`, or `acme.qualytics.io`) into host and API path.
 */
export function parseQualyticsUrl(raw: string): { host: string; basePath: string } | { error: string } {
  const value = raw.trim();
  if (value !== raw) return { error: "has leading or trailing whitespace; remove it" };
  const insecure = /^http:\/\/([a-z0-9.-]+(?::\d+)?)/i.exec(value);
  if (insecure) return { error: `uses http://, but Qualytics is reached over HTTPS only: use https://${insecure[1]!.toLowerCase()}/api` };
  const match = /^(?:https:\/\/)?([a-z0-9.-]+(?::\d+)?)(\/[^?#]*)?$/i.exec(value);
  if (!match) return { error: `"${value}" is not a Qualytics URL; expected e.g. https://acme.qualytics.io/api` };
  // A bare word is the instance's name, not a host (it would fail later as an unknown host).
  if (!/^https:\/\//i.test(value) && !/[.:]/.test(match[1]!)) {
    return { error: `"${value}" is an instance name, not its URL; use the instance URL, e.g. https://${match[1]!.toLowerCase()}.qualytics.io/api` };
  }
  const path = (match[2] ?? "").replace(/\/+$/, "");
  if (path && path !== "/api") return { error: `has an unexpected path "${path}"; use the instance URL, e.g. https://${match[1]!.toLowerCase()}/api` };
  return { host: match[1]!.toLowerCase(), basePath: "/api" };
}

/** The instance a `qualyticsUrl` input names, once check has validated it with {@link parseQualyticsUrl}. */
export function qualyticsInstanceOf(validatedUrl: string): { host: string; basePath: string } {
  const parsed = parseQualyticsUrl(validatedUrl);
  // Only a state no check has seen can get here.
  if ("error" in parsed) throw new ConfigurationError(`qualyticsUrl ${parsed.error}`);
  return parsed;
}

/**
 * The instance and token a Qualytics call uses: the instance from the validated `qualyticsUrl`
 * input ({@link qualyticsInstanceOf}); the token from the resource's own input when given, else
 * the `qualytics:token` stack config, else `QUALYTICS_TOKEN`.
 */
export function qualyticsCredentials(target: { host: string; basePath: string; token?: string }): QualyticsCredentials {
  const token = target.token ?? settings().qualytics.token;
  const missing = "no Qualytics token: set the resource's `qualyticsToken` input, or `pulumi config set --secret qualytics:token <token>`, or QUALYTICS_TOKEN";
  return { host: target.host, basePath: target.basePath, token: required(token, missing) };
}
