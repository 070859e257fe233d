import { UNKNOWN } from "../../provider/core/check";
import { provider as instanceProvider } from "../../provider/hopsworks/databricks-instance";
import { provider as clusterProvider } from "../../provider/hopsworks/configured-cluster";
import { hopsworksCredentials, parseHopsworksHost, requireLogin } from "../../provider/hopsworks/credentials";

const HOST = "dbc-1a2b3c4d-5e6f.cloud.databricks.com";
const instance = (news: Record<string, unknown>) =>
  instanceProvider.check!(
    {},
    { project: "fraud_detection", hopsworksHost: "hopsworks.example.com", workspaceHost: HOST, apiKey: "sandbox-key-value", ...news },
  );
const cluster = (news: Record<string, unknown>) =>
  clusterProvider.check!(
    {},
    { project: "fraud_detection", hopsworksHost: "hopsworks.example.com", workspaceHost: HOST, clusterId: "0923-164208-abcd1234", ...news },
  );

describe("HopsworksDatabricksInstance check", () => {
  test("valid inputs pass; a workspace URL and a Hopsworks URL are reduced to hosts", async () => {
    const result = await instance({ workspaceHost: `https://${HOST}/`, hopsworksHost: "https://hopsworks.example.com:443" });
    expect(result.failures).toBeUndefined();
    expect(result.inputs).toMatchObject({ workspaceHost: HOST, hopsworksHost: "hopsworks.example.com" });
  });

  test.each([
    [{ workspaceHost: "example.com" }, "workspaceHost", /expected forms are AWS: dbc-.*Azure: adb-.*GCP: /],
    [{ workspaceHost: `https://${HOST}/?o=123#workspace` }, "workspaceHost", /without a path/],
    [{ workspaceHost: `jdbc:spark://${HOST}:443/default` }, "workspaceHost", /is a JDBC URL; use only its host/],
    [{ project: "fraud detection" }, "project", /letters, digits and underscores/],
    [{ project: undefined }, "project", /required: set the `project` input, or `pulumi config set hopsworks:project/],
    [{ hopsworksHost: "https://hopsworks.example.com/p/119/settings" }, "hopsworksHost", /has a path/],
    [{ hopsworksPort: 70000 }, "hopsworksPort", /at most 65535/],
  ])("%j fails on %s", async (override, property, reason) => {
    const result = await instance(override);
    expect(result.failures).toEqual([{ property, reason: expect.stringMatching(reason) }]);
  });

  test("a bad key is refused without echoing it", async () => {
    const result = await instance({ apiKey: "sandbox-key-value\n" });
    expect(result.failures).toEqual([{ property: "", reason: expect.stringMatching(/^apiKey: has leading or trailing whitespace/) }]);
    expect(JSON.stringify(result.failures)).not.toContain("sandbox-key-value");
  });

  test("unknown values (preview) are not judged", async () => {
    expect((await instance({ workspaceHost: UNKNOWN, apiKey: UNKNOWN })).failures).toBeUndefined();
  });
});

describe("HopsworksConfiguredCluster check", () => {
  test("defaults are filled in", async () => {
    const result = await cluster({});
    expect(result.failures).toBeUndefined();
    expect(result.inputs).toMatchObject({
      waitForRunning: true,
      runningTimeoutMinutes: 20,
      restoreOnDelete: true,
      secretsStore: "secretsmanager",
      hostnameVerification: true,
    });
  });

  test.each([
    [{ clusterId: "feature-engineering" }, "clusterId", /cluster id like 0923-164208-abcd1234 \(not the cluster's name or URL\)/],
    [{ runningTimeoutMinutes: 0 }, "runningTimeoutMinutes", /at least 1/],
    [{ secretsStore: "vault" }, "secretsStore", /one of secretsmanager, parameterstore, local/],
    [{ targetUser: "" }, "targetUser", /omit it to configure for yourself/],
    [{ waitForRunning: "yes" }, "waitForRunning", /true or false/],
  ])("%j fails on %s", async (override, property, reason) => {
    const result = await cluster(override);
    expect(result.failures).toEqual([{ property, reason: expect.stringMatching(reason) }]);
  });

  test("diff: a target user change or drift updates in place; another cluster replaces, old first", async () => {
    const olds = { ...(await cluster({})).inputs, drift: [] } as Record<string, unknown>;
    const same = { ...(await cluster({})).inputs };
    expect(await clusterProvider.diff!("id", olds, same)).toMatchObject({ changes: false, replaces: [] });
    expect(await clusterProvider.diff!("id", olds, { ...same, targetUser: "scient01" })).toMatchObject({ changes: true, replaces: [] });
    expect(await clusterProvider.diff!("id", { ...olds, drift: ["spark_conf x was removed"] }, same)).toMatchObject({ changes: true, replaces: [] });
    expect(await clusterProvider.diff!("id", olds, { ...same, clusterId: "0923-164208-zzzz9999" })).toMatchObject({
      changes: true,
      replaces: ["clusterId"],
      deleteBeforeReplace: true,
    });
  });
});

describe("Hopsworks credentials", () => {
  test("host forms", () => {
    expect(parseHopsworksHost("c.app.hopsworks.ai")).toEqual({ host: "c.app.hopsworks.ai", port: undefined });
    expect(parseHopsworksHost("https://hopsworks.example.com:8181/hopsworks-api/api")).toEqual({ host: "hopsworks.example.com", port: 8181 });
    expect(parseHopsworksHost("ftp://x")).toHaveProperty("error");
  });

  test("an API key alone is refused for the integration endpoints, saying why", () => {
    process.env.HOPSWORKS_API_KEY = "sandbox-only-an-api-key";
    try {
      const creds = hopsworksCredentials({ host: "hopsworks.example.com" });
      expect(() => requireLogin(creds)).toThrow(/accept only a login session \(JWT\) and refuse API keys .*200003.*hopsworks:email and hopsworks:password/);
    } finally {
      delete process.env.HOPSWORKS_API_KEY;
    }
  });
});
