import { ConfigurationError } from "./errors";

/** Where a setting comes from: a stack config key (`namespace:key`), else an environment variable. */
export interface SettingSource {
  configKey?: string;
  envVar: string;
}

/** Config namespace of this package's own settings. */
export const PACKAGE_NAMESPACE = "databricks-integrations";
const knob = (name: string): SettingSource => ({ envVar: `PULUMI_DATABRICKS_INTEGRATIONS_${name}` });

/**
 * Every setting the package reads, in the provider process or in the Pulumi program (see
 * `program-defaults.ts`): the one table of config keys and environment variables.
 */
export const SETTING_SOURCES = {
  /** Host → URL overrides, a JSON object (the way the AWS provider is pointed at LocalStack). */
  endpoints: { configKey: `${PACKAGE_NAMESPACE}:endpoints`, envVar: "PULUMI_DATABRICKS_INTEGRATIONS_ENDPOINTS" },
  databricksHost: { configKey: "databricks:host", envVar: "DATABRICKS_HOST" },
  databricksToken: { configKey: "databricks:token", envVar: "DATABRICKS_TOKEN" },
  hopsworksHost: { configKey: "hopsworks:host", envVar: "HOPSWORKS_HOST" },
  hopsworksPort: { configKey: "hopsworks:port", envVar: "HOPSWORKS_PORT" },
  hopsworksProject: { configKey: "hopsworks:project", envVar: "HOPSWORKS_PROJECT" },
  hopsworksApiKey: { configKey: "hopsworks:apiKey", envVar: "HOPSWORKS_API_KEY" },
  hopsworksEmail: { configKey: "hopsworks:email", envVar: "HOPSWORKS_EMAIL" },
  hopsworksPassword: { configKey: "hopsworks:password", envVar: "HOPSWORKS_PASSWORD" },
  qualyticsUrl: { configKey: "qualytics:url", envVar: "QUALYTICS_URL" },
  qualyticsToken: { configKey: "qualytics:token", envVar: "QUALYTICS_TOKEN" },
  maxAttempts: knob("MAX_ATTEMPTS"),
  retryBaseMs: knob("RETRY_BASE_MS"),
  retryMaxDelayMs: knob("RETRY_MAX_DELAY_MS"),
  retryBudgetMs: knob("RETRY_BUDGET_MS"),
  timeoutMs: knob("TIMEOUT_MS"),
  pollMs: knob("POLL_MS"),
  configureTimeoutMs: knob("CONFIGURE_TIMEOUT_MS"),
  /** The provider's log: a file name, or `stderr`. */
  log: knob("LOG"),
} as const satisfies Record<string, SettingSource>;

/** The provider process's settings, parsed once from the stack config and the environment. */
export interface ProviderSettings {
  /** Lower-case service host → base URL (no trailing slash) for the hosts the override lists. */
  readonly endpoints: ReadonlyMap<string, string>;
  /** The HTTP layer's retry policy (see `RetryPolicy` in `http.ts`). */
  readonly retry: { readonly maxAttempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number; readonly budgetMs: number };
  /** How long one request may take. */
  readonly timeoutMs: number;
  /** First step of the waits that poll a cluster or a configure. */
  readonly pollMs: number;
  /** Overrides every configured cluster's `configureTimeoutMinutes` (tests shorten it). */
  readonly configureTimeoutMs?: number;
  /** Where the provider's log goes (a file, or `stderr`); off when unset. */
  readonly logTarget?: string;
  /** Credentials used when a resource's own inputs give none. */
  readonly databricks: { readonly token?: string };
  readonly hopsworks: { readonly port?: number; readonly apiKey?: string; readonly email?: string; readonly password?: string };
  readonly qualytics: { readonly token?: string };
}

type StackConfig = { get(key: string): string | undefined };

/** A setting's raw value and the name it was found under (for error messages). */
interface Raw {
  value: string;
  from: string;
}

function readRaw(config: StackConfig | undefined, source: SettingSource): Raw | undefined {
  const fromConfig = source.configKey ? config?.get(source.configKey) : undefined;
  if (fromConfig !== undefined && fromConfig !== "") return { value: fromConfig, from: source.configKey! };
  const fromEnv = process.env[source.envVar];
  return fromEnv !== undefined && fromEnv !== "" ? { value: fromEnv, from: source.envVar } : undefined;
}

const ENDPOINTS_EXAMPLE = `{"dbc-1234.cloud.databricks.com":"http://127.0.0.1:8080"}`;

function parseEndpoints(raw: Raw | undefined, problems: string[]): Map<string, string> {
  const endpoints = new Map<string, string>();
  if (!raw) return endpoints;
  let overrides: unknown;
  try {
    overrides = JSON.parse(raw.value);
  } catch {
    problems.push(`${raw.from} is not JSON; it must be a JSON object mapping host names to URLs, e.g. ${ENDPOINTS_EXAMPLE}`);
    return endpoints;
  }
  if (!overrides || typeof overrides !== "object" || Array.isArray(overrides)) {
    const got = Array.isArray(overrides) ? "an array" : overrides === null ? "null" : `a ${typeof overrides}`;
    problems.push(`${raw.from} is ${got}; it must be a JSON object mapping host names to URLs, e.g. ${ENDPOINTS_EXAMPLE}`);
    return endpoints;
  }
  for (const [host, url] of Object.entries(overrides)) {
    if (typeof url !== "string" || !/^https?:\/\/[^/]/i.test(url)) {
      problems.push(`${raw.from} maps "${host}" to ${JSON.stringify(url)}; each host must map to an http:// or https:// URL`);
    } else {
      endpoints.set(host.toLowerCase(), url.replace(/\/+$/, ""));
    }
  }
  return endpoints;
}

/** A numeric setting, or a problem naming it; `integer` settings also refuse fractions. */
function parseNumber(raw: Raw | undefined, what: string, problems: string[], bounds: { min: number; integer?: boolean; max?: number }): number | undefined {
  if (!raw) return undefined;
  const n = Number(raw.value);
  const ok =
    raw.value.trim() !== "" &&
    Number.isFinite(n) &&
    n >= bounds.min &&
    (bounds.max === undefined || n <= bounds.max) &&
    (!bounds.integer || Number.isInteger(n));
  if (ok) return n;
  problems.push(`${raw.from} is "${raw.value}", not ${what}`);
  return undefined;
}

/** Parses every provider setting; a bad value leaves its default and adds a problem. */
function parseSettings(config: StackConfig | undefined): { settings: ProviderSettings; problems: string[] } {
  const problems: string[] = [];
  const raw = (source: SettingSource) => readRaw(config, source);
  const ms = (source: SettingSource) => parseNumber(raw(source), "a number of milliseconds (0 or more)", problems, { min: 0 });
  const s = SETTING_SOURCES;
  const settings: ProviderSettings = {
    endpoints: parseEndpoints(raw(s.endpoints), problems),
    // Defaults follow the official Databricks SDKs: about 5 minutes of retries, 10 s steps.
    retry: {
      maxAttempts: parseNumber(raw(s.maxAttempts), "a whole number of attempts (1 or more)", problems, { min: 1, integer: true }) ?? 10,
      baseDelayMs: ms(s.retryBaseMs) ?? 500,
      maxDelayMs: ms(s.retryMaxDelayMs) ?? 10_000,
      budgetMs: ms(s.retryBudgetMs) ?? 300_000,
    },
    timeoutMs: ms(s.timeoutMs) ?? 60_000,
    pollMs: ms(s.pollMs) ?? 2_000,
    configureTimeoutMs: ms(s.configureTimeoutMs),
    logTarget: raw(s.log)?.value,
    databricks: { token: raw(s.databricksToken)?.value },
    hopsworks: {
      port: parseNumber(raw(s.hopsworksPort), "a port number (1–65535)", problems, { min: 1, max: 65535, integer: true }),
      apiKey: raw(s.hopsworksApiKey)?.value,
      email: raw(s.hopsworksEmail)?.value,
      password: raw(s.hopsworksPassword)?.value,
    },
    qualytics: { token: raw(s.qualyticsToken)?.value },
  };
  return { settings, problems };
}

/**
 * The stack config the engine passed to `configure` (secrets decrypted), kept in the provider
 * process only so credentials are never captured into the serialized provider; and what was
 * parsed from it and the environment.
 */
let stackConfig: StackConfig | undefined;
let parsed: { config: StackConfig | undefined; env: string; result: ReturnType<typeof parseSettings> } | undefined;

/**
 * The environment variables settings read, as one string. A provider process's environment
 * never changes, so this only matters where the provider runs in-process (tests set variables
 * per case): a change is noticed and parsed again, with or without a stack config.
 */
const envFingerprint = () => JSON.stringify(Object.values(SETTING_SOURCES).map((s) => process.env[s.envVar] ?? null));

function current(): ReturnType<typeof parseSettings> {
  const env = envFingerprint();
  if (!parsed || parsed.config !== stackConfig || parsed.env !== env) parsed = { config: stackConfig, env, result: parseSettings(stackConfig) };
  return parsed.result;
}

/** Records the stack config (called by `configure`) and parses the settings once. */
export function useStackConfig(config: StackConfig): void {
  stackConfig = config;
  current();
}

/** The provider's settings; a `ConfigurationError` naming each bad key if any value is wrong. */
export function settings(): ProviderSettings {
  const { settings: parsedSettings, problems } = current();
  if (problems.length) throw new ConfigurationError(`provider settings are invalid: ${problems.join("; ")}`);
  return parsedSettings;
}

/** Where the log goes. Never throws: logging must not fail a call over a bad unrelated setting. */
export const logTarget = (): string | undefined => current().settings.logTarget;

/**
 * The one place that maps a real service host name to the URL the provider calls: the
 * endpoint override's URL for a listed host, else `https://<host>`.
 */
export function endpointFor(host: string): string {
  return settings().endpoints.get(host.toLowerCase()) ?? `https://${host}`;
}

/** A credential the resource's inputs and the settings both left out: the error says how to set it. */
export function required(value: string | undefined, missing: string): string {
  if (!value) throw new ConfigurationError(missing);
  return value;
}
