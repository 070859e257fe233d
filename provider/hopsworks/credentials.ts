import { ConfigurationError } from "../core/errors";
import { settings } from "../core/settings";

/** Where a Hopsworks cluster is, and who calls it. */
export interface HopsworksCredentials {
  /** Host of the Hopsworks cluster, e.g. `c.app.hopsworks.ai` or `hopsworks.example.com`. */
  host: string;
  port: number;
  /** API key (`Authorization: ApiKey …`): enough for project lookups, not for the integration endpoints. */
  apiKey?: string;
  /** Login the Databricks integration endpoints need (they accept only a login session). */
  email?: string;
  password?: string;
}

/** Splits `hopsworks.example.com`, `hopsworks.example.com:8181` or `https://host[:port][/]` into host and port. */
export function parseHopsworksHost(raw: string): { host: string; port?: number } | { error: string } {
  const value = raw.trim();
  if (value !== raw) return { error: "has leading or trailing whitespace; remove it" };
  const match = /^(?:https:\/\/)?([a-z0-9.-]+)(?::(\d{1,5}))?(\/[^?#]*)?$/i.exec(value);
  if (!match) return { error: `"${value}" is not a Hopsworks host; expected e.g. c.app.hopsworks.ai or https://hopsworks.example.com:443` };
  const path = (match[3] ?? "").replace(/\/+$/, "");
  if (path && path !== "/hopsworks-api/api" && path !== "/hopsworks-api" && path !== "/p") {
    return { error: `has a path ("${path}"); use only the host (and port), e.g. ${match[1]!.toLowerCase()}` };
  }
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return { error: `port ${port} is out of range` };
  return { host: match[1]!.toLowerCase(), port };
}

/**
 * The Hopsworks cluster and login a call uses: `host` is the bare host as `hopsworksHostSchema`
 * yields it (check validated it; state holds that form); the port is the resource's
 * `hopsworksPort`, else `hopsworks:port` stack config or `HOPSWORKS_PORT`, else 443; the login
 * from `hopsworks:apiKey`, `hopsworks:email`, `hopsworks:password` (or `HOPSWORKS_API_KEY`,
 * `HOPSWORKS_EMAIL`, `HOPSWORKS_PASSWORD`).
 */
export function hopsworksCredentials(target: { host: string; port?: number }): HopsworksCredentials {
  const { port, apiKey, email, password } = settings().hopsworks;
  return { host: target.host, port: target.port ?? port ?? 443, apiKey, email, password };
}

/**
 * The login the Databricks integration endpoints need, or an error that says why: Hopsworks
 * serves them to login sessions (JWT) only and answers an API key with 401 "Authorization method
 * not supported" (errorCode 200003).
 */
export function requireLogin(creds: HopsworksCredentials): { email: string; password: string } {
  if (creds.email && creds.password) return { email: creds.email, password: creds.password };
  const missing = [!creds.email && "hopsworks:email", !creds.password && "hopsworks:password"].filter(Boolean).join(" and ");
  const why = creds.apiKey
    ? 'an API key (hopsworks:apiKey) is configured, but Hopsworks\' Databricks integration endpoints accept only a login session (JWT) and refuse API keys with 401 "Authorization method not supported" (errorCode 200003)'
    : "Hopsworks' Databricks integration endpoints accept only a login session (JWT)";
  throw new ConfigurationError(
    `${why}; set ${missing} (\`pulumi config set hopsworks:email <email>\`, \`pulumi config set --secret hopsworks:password <password>\`, or HOPSWORKS_EMAIL / HOPSWORKS_PASSWORD) for the Hopsworks user who registers the instance`,
  );
}
