import { useStackConfig } from "../../../provider/core/settings";
import { DatabricksClient } from "../../../provider/databricks/client";
import { policyConflicts } from "../../../provider/databricks/cluster-policy";
import { provider as tokenProvider } from "../../../provider/databricks/access-token";
import { ADMIN_TOKEN, ALICE_TOKEN, AWS_HOST, AZURE_HOST, BOB_TOKEN, startTestSandbox, testSeed, type SandboxHarness } from "../../helpers/databricks-sandbox";

const RUNNING = "0101-000000-aaaaaaaa";

/** The provider's Databricks client against the sandbox: how it reads a 403, the token cap, partial updates. */
describe("provider Databricks client against the sandbox", () => {
  let h: SandboxHarness;
  beforeAll(async () => {
    const seed = testSeed();
    seed.workspaces[0]!.maxTokenLifetimeDays = 90;
    // The Azure workspace: an older front end (HTML error pages) without clusters/update.
    Object.assign(seed.workspaces[1]!, { invalidTokenForm: "html", clustersUpdate: false });
    seed.workspaces[1]!.clusters.push({
      cluster_id: "0202-000000-azazazaz",
      cluster_name: "az",
      spark_version: "15.4.x-scala2.12",
      node_type_id: "Standard_DS3_v2",
      num_workers: 1,
      state: "TERMINATED",
      owner: "admin@example.com",
      acl: [],
    });
    h = await startTestSandbox({ seed });
    const endpoints = JSON.stringify(h.sandbox.endpoints);
    useStackConfig({ get: (key) => (key === "databricks-integrations:endpoints" ? endpoints : undefined) });
  });
  afterAll(async () => h?.close());
  const client = (token: string, host = AWS_HOST) => new DatabricksClient({ host, token });

  test("Can Manage probe: a missing permission is false; a revoked token is the invalid-token error, in either answer form", async () => {
    expect(await client(ALICE_TOKEN).canManageCluster(RUNNING)).toBe(true);
    expect(await client(BOB_TOKEN).canManageCluster(RUNNING)).toBe(false);
    await expect(client("dapi-revoked-token-0000").canManageCluster(RUNNING)).rejects.toThrow(
      /not accepted by workspace .*: the token is invalid, expired or revoked: create a new one/,
    );
    await expect(client("dapi-revoked-token-0000", AZURE_HOST).canManageCluster("0202-000000-azazazaz")).rejects.toThrow(
      /the token is invalid, expired or revoked/,
    );
    // The HTML page is read as the SDKs read it: the message from <pre>.
    await expect(client("dapi-revoked-token-0000", AZURE_HOST).getCluster("0202-000000-azazazaz")).rejects.toThrow(
      /HTTP 403: Invalid access token\. — the token is invalid/,
    );
  });

  test("partial update where the workspace has it; false (so callers fall back to edit) where it does not", async () => {
    expect(await client(ADMIN_TOKEN).updateCluster(RUNNING, { autotermination_minutes: 20 }, ["autotermination_minutes"])).toBe(true);
    expect((await client(ADMIN_TOKEN).getCluster(RUNNING))?.autotermination_minutes).toBe(20);
    expect(
      await client("sandbox-admin-token-azure", AZURE_HOST).updateCluster("0202-000000-azazazaz", { autotermination_minutes: 20 }, ["autotermination_minutes"]),
    ).toBe(false);
  });

  test("DatabricksAccessToken: a lifetime above the workspace cap fails before any token is made", async () => {
    await tokenProvider.configure!({
      config: { get: (key: string) => ({ "databricks:token": ADMIN_TOKEN, "databricks-integrations:endpoints": JSON.stringify(h.sandbox.endpoints) })[key] },
    } as never);
    const before = (await h.call("GET", "/api/2.0/token/list")).body.token_infos.length;
    await expect(tokenProvider.create({ host: AWS_HOST, lifetimeDays: 365 })).rejects.toThrow(
      /lifetimeDays: 365 days is more than workspace .* allows .*maxTokenLifetimeDays, is 90 days\): ask for 90 days or fewer/,
    );
    expect((await h.call("GET", "/api/2.0/token/list")).body.token_infos).toHaveLength(before);
    const ok = await tokenProvider.create({ host: AWS_HOST });
    const outs = ok.outs as { creationTime: string; expiryTime: string };
    expect(Date.parse(outs.expiryTime) - Date.parse(outs.creationTime)).toBe(90 * 86400 * 1000);
    await tokenProvider.delete!(ok.id, ok.outs);
  });

  test("DatabricksAccessToken: two stacks that declare the same token each get their own, and never revoke the other's", async () => {
    // Same resource name and comment in two stacks: only the owner marker (project, stack, name) differs.
    const live = async () => ((await h.call("GET", "/api/2.0/token/list")).body.token_infos as { token_id: string }[]).map((t) => t.token_id);
    const a = await tokenProvider.create({ host: AWS_HOST, comment: "shared integrations", lifetimeDays: 30, ownerMarker: "aaaa1111" });
    const b = await tokenProvider.create({ host: AWS_HOST, comment: "shared integrations", lifetimeDays: 30, ownerMarker: "bbbb2222" });
    expect(a.id).not.toBe(b.id);
    expect(await live()).toEqual(expect.arrayContaining([a.id, b.id]));
    // One stack's destroy revokes its own token only.
    await tokenProvider.delete!(a.id, a.outs);
    expect(await live()).toContain(b.id);
    expect(await live()).not.toContain(a.id);
    await tokenProvider.delete!(b.id, b.outs);
  });
});

describe("policyConflicts: what a policy would refuse of what Hopsworks sets", () => {
  const policy = (rules: Record<string, unknown>) => ({ policy_id: "P", name: "p", definition: JSON.stringify(rules) });
  const intended = {
    sparkConf: { "spark.serializer": "org.apache.spark.serializer.KryoSerializer" },
    customTags: { hopsworks_user: "u" },
    initScriptDestinations: ["dbfs:/hopsworks/h/p__u/initScript.sh"],
  };
  test.each([
    [{ "spark_conf.spark.serializer": { type: "forbidden" } }, /spark_conf\.spark\.serializer \(the policy forbids it/],
    [{ "spark_conf.spark.serializer": { type: "fixed", value: "x" } }, /fixes it to "x"/],
    [{ "custom_tags.hopsworks_user": { type: "allowlist", values: ["a"] } }, /custom_tags\.hopsworks_user \(the policy allows only \["a"\]/],
    [{ "init_scripts.*.dbfs.destination": { type: "forbidden" } }, /init_scripts\.\*\.dbfs\.destination/],
    [{ "init_scripts.*.dbfs.destination": { type: "regex", pattern: "^dbfs:/approved/" } }, /must match|requires it to match/],
  ])("%j", (rules, expected) => {
    expect(policyConflicts(policy(rules), intended).join("; ")).toMatch(expected);
  });
  test("rules on other fields, and allowed values, are no conflict", () => {
    expect(
      policyConflicts(
        policy({
          autotermination_minutes: { type: "range", maxValue: 60 },
          "spark_conf.spark.serializer": { type: "fixed", value: "org.apache.spark.serializer.KryoSerializer" },
        }),
        intended,
      ),
    ).toEqual([]);
    expect(policyConflicts({ policy_id: "P", name: "p", definition: "not json" }, intended)).toEqual([]);
  });
});
