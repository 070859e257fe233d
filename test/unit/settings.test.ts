import { provider as tokenProvider } from "../../provider/databricks/access-token";
import { defaultRetryPolicy, defaultTimeoutMs } from "../../provider/core/http";
import { endpointFor, settings, useStackConfig } from "../../provider/core/settings";

const AWS = "dbc-1a2b3c4d-5e6f.cloud.databricks.com";
const stack = (values: Record<string, string>) => ({ get: (key: string) => values[key] });

/** The provider process's settings: parsed at configure, bad values named, env changes noticed. */
describe("provider settings", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    useStackConfig(stack({}));
  });

  test("defaults, and the endpoint map from stack config (keys lower-cased, trailing slash dropped)", () => {
    useStackConfig(stack({ "databricks-integrations:endpoints": JSON.stringify({ [AWS.toUpperCase()]: "http://127.0.0.1:8080/" }) }));
    expect(endpointFor(AWS)).toBe("http://127.0.0.1:8080");
    expect(endpointFor("other.cloud.databricks.com")).toBe("https://other.cloud.databricks.com");
    expect(defaultRetryPolicy()).toEqual({ maxAttempts: 10, baseDelayMs: 500, maxDelayMs: 10_000, budgetMs: 300_000 });
    expect(defaultTimeoutMs()).toBe(60_000);
  });

  test("stack config wins over the environment; an environment change is noticed", () => {
    process.env.PULUMI_DATABRICKS_INTEGRATIONS_ENDPOINTS = JSON.stringify({ [AWS]: "http://127.0.0.1:1" });
    expect(endpointFor(AWS)).toBe("http://127.0.0.1:1");
    process.env.PULUMI_DATABRICKS_INTEGRATIONS_TIMEOUT_MS = "4000";
    expect(defaultTimeoutMs()).toBe(4000);
    useStackConfig(stack({ "databricks-integrations:endpoints": JSON.stringify({ [AWS]: "http://127.0.0.1:2" }) }));
    expect(endpointFor(AWS)).toBe("http://127.0.0.1:2");
  });

  test.each([
    ["not JSON", "{dbc:", /databricks-integrations:endpoints is not JSON; it must be a JSON object mapping host names to URLs/],
    ["an array", '["http://x"]', /databricks-integrations:endpoints is an array; it must be a JSON object/],
    [
      "a value that is not a URL",
      JSON.stringify({ [AWS]: 8080 }),
      /databricks-integrations:endpoints maps "dbc-.*" to 8080; each host must map to an http:\/\/ or https:\/\/ URL/,
    ],
  ])("endpoint override that is %s: a ConfigurationError naming the key", (_what, value, message) => {
    useStackConfig(stack({ "databricks-integrations:endpoints": value }));
    expect(() => settings()).toThrow(message);
    expect(() => endpointFor(AWS)).toThrow(expect.objectContaining({ name: "ConfigurationError" }));
  });

  test("a knob that is not a number: every provider call fails naming the variable, configure does not", async () => {
    process.env.PULUMI_DATABRICKS_INTEGRATIONS_TIMEOUT_MS = "60s";
    process.env.PULUMI_DATABRICKS_INTEGRATIONS_MAX_ATTEMPTS = "2.5";
    await expect(tokenProvider.configure!({ config: stack({}) } as never)).resolves.toBeUndefined();
    const err = await tokenProvider.check!({}, { host: AWS }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/PULUMI_DATABRICKS_INTEGRATIONS_TIMEOUT_MS is "60s", not a number of milliseconds/);
    expect(err?.message).toMatch(/PULUMI_DATABRICKS_INTEGRATIONS_MAX_ATTEMPTS is "2.5", not a whole number of attempts/);
    await expect(tokenProvider.delete!("1", { host: AWS })).rejects.toThrow(/PULUMI_DATABRICKS_INTEGRATIONS_TIMEOUT_MS/);
  });

  test("credentials' keys: stack config, else the environment; a bad port names its key", () => {
    process.env.DATABRICKS_TOKEN = "sandbox-env-token";
    useStackConfig(stack({ "hopsworks:email": "owner@example.com" }));
    expect(settings().databricks.token).toBe("sandbox-env-token");
    expect(settings().hopsworks).toMatchObject({ email: "owner@example.com", port: undefined });
    useStackConfig(stack({ "databricks:token": "sandbox-config-token", "hopsworks:port": "https" }));
    expect(() => settings()).toThrow(/hopsworks:port is "https", not a port number/);
  });
});
