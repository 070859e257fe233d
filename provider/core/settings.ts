import { ConfigurationError } from "./errors";

/**
 * Stack configuration as the provider process sees it. The engine passes the whole stack
 * config (secrets decrypted) to the dynamic provider's `configure`; we keep it here, in the
 * provider process only, so credentials are never captured into the serialized provider.
 */
let stackConfig: { get(key: string): string | undefined } | undefined;

export function useStackConfig(config: { get(key: string): string | undefined }): void {
  stackConfig = config;
}

/** A setting from stack config (`namespace:key`), else from an environment variable. */
export function setting(configKey: string, envVar?: string): string | undefined {
  const fromConfig = stackConfig?.get(configKey);
  if (fromConfig !== undefined && fromConfig !== "") return fromConfig;
  const fromEnv = envVar ? process.env[envVar] : undefined;
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : undefined;
}

/** Config namespace of this package's own settings. */
export const PACKAGE_NAMESPACE = "databricks-integrations";
/** The endpoint-override setting (stack config key and environment variable). */
export const ENDPOINTS_CONFIG_KEY = `${PACKAGE_NAMESPACE}:endpoints`;
export const ENDPOINTS_ENV = "PULUMI_DATABRICKS_INTEGRATIONS_ENDPOINTS";

/**
 * The one place that maps a real service host name to the URL the provider calls. Without an
 * override every host is `https://<host>`; with one (a JSON object `{ "<host>": "<url>" }`,
 * the way the AWS provider is pointed at LocalStack) the listed hosts go to the given URLs.
 */
export function endpointFor(host: string): string {
  const raw = setting(ENDPOINTS_CONFIG_KEY, ENDPOINTS_ENV);
  if (raw) {
    let overrides: unknown;
    try {
      overrides = JSON.parse(raw);
    } catch {
      throw new ConfigurationError(
        `${ENDPOINTS_CONFIG_KEY} (or ${ENDPOINTS_ENV}) must be a JSON object mapping host names to URLs, e.g. {"dbc-1234.cloud.databricks.com":"http://127.0.0.1:8080"}`,
      );
    }
    const url = (overrides as Record<string, unknown>)[host.toLowerCase()] ?? (overrides as Record<string, unknown>)[host];
    if (typeof url === "string" && url) return url.replace(/\/+$/, "");
  }
  return `https://${host}`;
}
