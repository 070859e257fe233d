import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ALICE_TOKEN, AWS_HOST, AZURE_HOST, eventually } from "../helpers/databricks-sandbox";
import {
  ATTACH_ONLY_CLUSTER,
  HOPSWORKS_HOST,
  HSFS_REQUIREMENT,
  MANAGED_CLUSTER,
  ML_POLICY,
  NO_DBFS_INIT_POLICY,
  OTHER_PROJECT_ID,
  OUTSIDER,
  OWNER,
  PROJECT,
  PROJECT_ID,
  SCIENTIST,
  TERMINATED_CLUSTER,
  hopsworksStackConfig,
  startHopsworksTestSandbox,
  type HopsworksHarness,
} from "../helpers/hopsworks-sandbox";
import { compiledProgram } from "../helpers/engine";
import { SecretAudit } from "../helpers/secret-audit";
import type { StackOpRequest } from "../../scripts/stack-op";

jest.setTimeout(900_000);

interface StateResource {
  urn: string;
  type: string;
  outputs?: Record<string, any>;
}
/** The resources of a `pulumi stack export` document (`{version, deployment: {resources}}`). */
const resourcesOf = (exported: unknown): StateResource[] =>
  (exported as { deployment?: { resources?: StateResource[] } } | undefined)?.deployment?.resources ?? [];

/** Fields only Databricks sets (state, times, defaults): not part of "the spec the user wrote". */
const DATABRICKS_OWNED = [
  "state",
  "state_message",
  "start_time",
  "terminated_time",
  "termination_reason",
  "last_restarted_time",
  "last_state_loss_time",
  "last_activity_time",
  "spark_context_id",
  "default_tags",
  "creator_user_name",
  "cluster_source",
  "driver",
  "executors",
  "jdbc_port",
  "cluster_memory_mb",
  "cluster_cores",
  "spec",
];

const HOPSWORKS_KEYS = [
  "spark.hadoop.client.rpc.ssl.enabled.protocol",
  "spark.hadoop.fs.hopsfs.impl",
  "spark.hadoop.hive.metastore.uris",
  "spark.hadoop.hops.ipc.server.ssl.enabled",
  "spark.hadoop.hops.rpc.socket.factory.class.default",
  "spark.hadoop.hops.ssl.hostname.verifier",
  "spark.hadoop.hops.ssl.keystore.name",
  "spark.hadoop.hops.ssl.keystores.passwd.name",
  "spark.hadoop.hops.ssl.trustore.name",
  "spark.serializer",
  "spark.sql.hive.metastore.jars",
];

/**
 * Hopsworks ↔ Databricks through the real engine: a token registered with Hopsworks and two
 * clusters configured through it (one TERMINATED, one RUNNING and configured by a Data owner
 * for another member); then no-op preview and refresh, every drift case, key rotation, a target
 * user change, refused operations, the secret audit and destroy back to the clusters' old specs.
 */
describe("Hopsworks Databricks integration end to end (real engine, sandboxes)", () => {
  let h: HopsworksHarness;
  let stateDir: string;
  let logFile: string;
  let base: Omit<StackOpRequest, "op">;
  let endpoints: Record<string, string>;
  /** Every PAT, password, API key and login session used or issued, searched for in everything the engine printed or stored. */
  const audit = new SecretAudit();
  const stackOp = (request: StackOpRequest) => audit.stackOp(request);

  beforeAll(async () => {
    h = await startHopsworksTestSandbox({ timeScale: 0.001 });
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pdi-e2e-hopsworks-"));
    logFile = path.join(stateDir, "provider.log");
    endpoints = { ...h.databricks.sandbox.endpoints, ...h.hopsworks.endpoints };
    const stackConfig = hopsworksStackConfig(endpoints);
    base = {
      programModule: compiledProgram("test/e2e/programs/hopsworks.ts"),
      projectName: "hopsworks-e2e",
      stackName: "dev",
      stateDir,
      config: {
        ...stackConfig.config,
        "test:runningCluster": MANAGED_CLUSTER,
        "test:terminatedCluster": TERMINATED_CLUSTER,
        "test:targetUser": SCIENTIST.username,
        // Stack config persists between operations: every key a step sets has a base value.
        "test:extraCluster": "",
        "test:rotate": "false",
      },
      secretConfig: stackConfig.secretConfig,
      env: { PULUMI_DATABRICKS_INTEGRATIONS_LOG: logFile, PULUMI_DATABRICKS_INTEGRATIONS_POLL_MS: "50" },
    };
    audit.addSecrets(ALICE_TOKEN, OWNER.password, SCIENTIST.password, OWNER.apiKey);
    audit.addSandbox(h.databricks.url());
    audit.addSandbox(h.url());
    audit.trackPath("provider log", logFile);
    audit.trackPath("stack state dir", stateDir);
  });
  afterAll(async () => h?.close());

  const run = async (op: StackOpRequest["op"], extra: Partial<StackOpRequest> = {}) => {
    const result = await stackOp({ ...base, op, ...extra });
    if (!result.ok) throw new Error(`${op} failed: ${result.error}\n${result.output}`);
    return result;
  };
  const withConfig = (config: Record<string, string>): Partial<StackOpRequest> => ({ config: { ...base.config, ...config } });
  const cluster = async (id: string) => {
    const res = await h.databricks.call("GET", `/api/2.1/clusters/get?cluster_id=${id}`);
    expect(res.status).toBe(200);
    return res.body as Record<string, any>;
  };
  const userSpec = async (id: string) => {
    const spec = { ...(await cluster(id)) };
    for (const field of DATABRICKS_OWNED) delete spec[field];
    return spec;
  };
  const libraries = async (id: string) =>
    ((await h.databricks.call("GET", `/api/2.0/libraries/cluster-status?cluster_id=${id}`)).body.library_statuses ?? []) as { library: any; status: string }[];
  /** An edit as a person in the Databricks UI makes it: the full spec, changed. */
  const editOutOfBand = async (id: string, change: (spec: Record<string, any>) => void) => {
    await eventually(async () => ["RUNNING", "TERMINATED"].includes((await cluster(id)).state));
    const spec = await userSpec(id);
    change(spec);
    const res = await h.databricks.call("POST", "/api/2.1/clusters/edit", { body: spec });
    expect(res.status).toBe(200);
  };
  const requestCount = async (url: string) => ((await (await fetch(`${url}/__sandbox/requests`)).json()) as { requests: unknown[] }).requests.length;
  const clearRequests = async () => {
    for (const url of [h.databricks.url(), h.url()]) await fetch(`${url}/__sandbox/requests`, { method: "DELETE" });
  };
  /** A resource's outputs as the state holds them (stack outputs only change on `up`). */
  const stateOutputs = async (name: string) => {
    return resourcesOf((await run("export")).deployment).find((r) => r.urn.endsWith(`::${name}`))?.outputs ?? {};
  };
  const registrations = () => h.hopsworks.instances[0]!.instance.registrations(OWNER.email);
  const hopsworksSecret = async (name: string) => {
    const res = await h.call("GET", `/users/secrets/${name}`, { apiKey: OWNER.apiKey });
    return res.status === 200 ? (res.body.items[0].secret as string) : undefined;
  };

  test("the full lifecycle", async () => {
    const before = { running: await userSpec(MANAGED_CLUSTER), terminated: await userSpec(TERMINATED_CLUSTER) };
    expect((await cluster(TERMINATED_CLUSTER)).state).toBe("TERMINATED");
    expect((await cluster(MANAGED_CLUSTER)).state).toBe("RUNNING");

    const preview = await run("preview");
    expect(preview.changeSummary).toEqual({ create: 5 });
    const up = await run("up");
    expect(up.changeSummary).toEqual({ create: 5 });
    const out = (key: string) => up.outputs![key]?.value as any;
    const firstPat = out("pat") as string;

    // Registered once, with the token the stack made.
    expect(registrations()).toEqual([AWS_HOST]);
    expect(await hopsworksSecret(`db_${AWS_HOST}`)).toBe(firstPat);

    // The running cluster, configured by the Data owner for the scientist.
    const running = await cluster(MANAGED_CLUSTER);
    expect(running.state).toBe("RUNNING");
    expect(Object.keys(running.spark_conf).filter((k) => HOPSWORKS_KEYS.includes(k)).sort()).toEqual(HOPSWORKS_KEYS);
    expect(running.spark_conf["spark.sql.shuffle.partitions"]).toBe("64");
    expect(running.spark_conf["spark.hadoop.hops.ssl.keystore.name"]).toContain(`${PROJECT}__${SCIENTIST.username}`);
    expect(running.custom_tags).toMatchObject({ team: "fraud", hopsworks_project_id: String(PROJECT_ID), hopsworks_user: SCIENTIST.username });
    // Hopsworks' edit replaced the init scripts and dropped the cloud attributes: both are back.
    expect(running.init_scripts).toEqual([before.running.init_scripts[0], { dbfs: { destination: out("initScript") } }]);
    expect(running.aws_attributes).toEqual(before.running.aws_attributes);
    expect(out("featuresRestored")).toEqual(expect.arrayContaining(["aws_attributes", expect.stringMatching(/^init_scripts/)]));
    expect(out("featuresUser")).toBe(SCIENTIST.username);
    expect(out("sparkKeys")).toEqual(HOPSWORKS_KEYS);
    expect(out("hsfsVersion")).toBe(HSFS_REQUIREMENT);
    expect((await libraries(MANAGED_CLUSTER)).find((l) => l.library.pypi?.package === HSFS_REQUIREMENT)?.status).toBe("INSTALLED");
    expect(out("connection")).toEqual({ host: HOPSWORKS_HOST, port: 443, project: PROJECT, secretsStore: "secretsmanager", hostnameVerification: true });
    expect(out("snippet")).toContain(`hsfs.connection(\n    "${HOPSWORKS_HOST}",\n    443,\n    "${PROJECT}",`);
    expect(up.output).toMatch(/restored .*aws_attributes.*restarts once more/);

    // The terminated cluster: started by Hopsworks, its policy and access mode put back.
    const terminated = await cluster(TERMINATED_CLUSTER);
    expect(terminated.state).toBe("RUNNING");
    expect(out("trainingState")).toBe("RUNNING");
    expect(terminated.custom_tags).toMatchObject({ cost_center: "ml", hopsworks_user: OWNER.username });
    for (const field of ["policy_id", "data_security_mode", "single_user_name"]) expect(terminated[field]).toEqual(before.terminated[field]);
    expect(out("trainingRestored")).toEqual(expect.arrayContaining(["policy_id", "data_security_mode", "single_user_name"]));

    // No-op preview: zero requests to either service. Refresh: no changes.
    await clearRequests();
    expect((await run("preview", { expectNoChanges: true })).changeSummary).toEqual({ same: 5 });
    expect([await requestCount(h.databricks.url()), await requestCount(h.url())]).toEqual([0, 0]);
    expect((await run("refresh", { expectNoChanges: true })).changeSummary).toEqual({ same: 5 });

    // Drift, each seen by refresh and repaired by the next up.
    const driftCases: [string, () => Promise<void>, RegExp][] = [
      [
        "Spark keys removed and changed",
        () =>
          editOutOfBand(MANAGED_CLUSTER, (spec) => {
            delete spec.spark_conf["spark.hadoop.hops.ssl.keystore.name"];
            spec.spark_conf["spark.hadoop.hops.ssl.hostname.verifier"] = "STRICT";
          }),
        /keystore\.name was removed/,
      ],
      [
        "tags pointing at another user and project",
        () =>
          editOutOfBand(MANAGED_CLUSTER, (spec) => {
            spec.custom_tags.hopsworks_user = OUTSIDER.username;
            spec.custom_tags.hopsworks_project_id = String(OTHER_PROJECT_ID);
          }),
        /hopsworks_user is "outsider1"/,
      ],
      ["init script removed", () => editOutOfBand(MANAGED_CLUSTER, (spec) => void (spec.init_scripts = spec.init_scripts.filter((s: any) => !s.dbfs))), /init script dbfs:\/hopsworks\/.* was removed/],
      [
        "hsfs uninstalled",
        async () => {
          const res = await h.databricks.call("POST", "/api/2.0/libraries/uninstall", { body: { cluster_id: MANAGED_CLUSTER, libraries: [{ pypi: { package: HSFS_REQUIREMENT } }] } });
          expect(res.status).toBe(200);
        },
        /hsfs~=4\.2\.0 was uninstalled/,
      ],
    ];
    for (const [label, inject, expected] of driftCases) {
      await inject();
      const refreshed = await run("refresh");
      expect({ label, summary: refreshed.changeSummary }).toEqual({ label, summary: { same: 4, update: 1 } });
      const drift = (await stateOutputs("features")).drift as string[];
      expect({ label, drift: drift.join("\n") }).toEqual({ label, drift: expect.stringMatching(expected) });
      expect((await run("up")).changeSummary).toEqual({ same: 4, update: 1 });
      const repaired = await cluster(MANAGED_CLUSTER);
      expect(repaired.spark_conf["spark.hadoop.hops.ssl.hostname.verifier"]).toBe("ALLOW_ALL");
      expect(repaired.spark_conf["spark.hadoop.hops.ssl.keystore.name"]).toContain(`${PROJECT}__${SCIENTIST.username}`);
      expect(repaired.custom_tags).toMatchObject({ team: "fraud", hopsworks_user: SCIENTIST.username, hopsworks_project_id: String(PROJECT_ID) });
      expect(repaired.init_scripts).toHaveLength(2);
      expect(repaired.aws_attributes).toEqual(before.running.aws_attributes);
      expect((await libraries(MANAGED_CLUSTER)).find((l) => l.library.pypi?.package === HSFS_REQUIREMENT)?.status).toBe("INSTALLED");
      expect((await run("refresh", { expectNoChanges: true })).changeSummary).toEqual({ same: 5 });
    }

    // A cluster permanently deleted out of band: refresh drops its configuration from the stack.
    const created = await h.databricks.call("POST", "/api/2.1/clusters/create", {
      token: ALICE_TOKEN,
      body: { cluster_name: "scratch", spark_version: "15.4.x-scala2.12", node_type_id: "i3.xlarge", num_workers: 1 },
    });
    expect(created.status).toBe(200);
    const scratchId = created.body.cluster_id as string;
    expect((await run("up", withConfig({ "test:extraCluster": scratchId }))).changeSummary).toEqual({ same: 5, create: 1 });
    expect((await h.databricks.call("POST", "/api/2.1/clusters/permanent-delete", { body: { cluster_id: scratchId } })).status).toBe(200);
    expect((await run("refresh", withConfig({ "test:extraCluster": scratchId }))).changeSummary).toEqual({ same: 5, delete: 1 });
    expect((await run("preview", { expectNoChanges: true })).changeSummary).toEqual({ same: 5 });

    // The registration's key changed out of band, then the registration removed out of band.
    h.hopsworks.instances[0]!.instance.setSecret(OWNER.email, `db_${AWS_HOST}`, "sandbox-someone-elses-key");
    // Both clusters notice too: Hopsworks can no longer reach them with that key.
    expect((await run("refresh")).changeSummary).toEqual({ same: 2, update: 3 });
    expect((await stateOutputs("workspace")).keyStatus).toBe("changed out of band");
    expect((await stateOutputs("training")).drift.join("\n")).toMatch(/Hopsworks cannot reach the cluster with the key registered for owner01/);
    expect((await run("up")).changeSummary).toEqual({ same: 2, update: 3 });
    expect(await hopsworksSecret(`db_${AWS_HOST}`)).toBe(firstPat);
    expect((await h.call("DELETE", `/project/${PROJECT_ID}/integrations/databricks/${AWS_HOST}`, { jwt: await h.login(OWNER) })).status).toBeLessThan(300);
    // Refresh drops the registration, and both clusters report that Hopsworks can no longer reach them.
    expect((await run("refresh")).changeSummary).toEqual({ same: 2, update: 2, delete: 1 });
    expect((await run("up")).changeSummary).toEqual({ same: 2, update: 2, create: 1 });
    expect(registrations()).toEqual([AWS_HOST]);
    expect((await run("refresh", { expectNoChanges: true })).changeSummary).toEqual({ same: 5 });

    // Key rotation: a new token takes over the registration in place (update, not replace).
    const rotated = await run("up", withConfig({ "test:rotate": "true" }));
    expect(rotated.changeSummary).toEqual({ same: 4, create: 1, update: 1 });
    const secondPat = rotated.outputs!.rotatedPat!.value as string;
    expect(await hopsworksSecret(`db_${AWS_HOST}`)).toBe(secondPat);
    expect(registrations()).toEqual([AWS_HOST]);
    base.config = { ...base.config, "test:rotate": "true" };

    // Target user change: the scientist's configuration becomes the owner's, in place.
    const retargeted = await run("up", withConfig({ "test:targetUser": OWNER.email }));
    expect(retargeted.changeSummary).toEqual({ same: 5, update: 1 });
    const afterRetarget = await cluster(MANAGED_CLUSTER);
    expect(afterRetarget.custom_tags.hopsworks_user).toBe(OWNER.username);
    expect(afterRetarget.spark_conf["spark.hadoop.hops.ssl.keystore.name"]).toContain(`${PROJECT}__${OWNER.username}`);
    expect(afterRetarget.init_scripts).toEqual([before.running.init_scripts[0], { dbfs: { destination: expect.stringContaining(`${PROJECT}__${OWNER.username}`) } }]);
    base.config = { ...base.config, "test:targetUser": OWNER.email };
    expect((await run("preview", { expectNoChanges: true })).changeSummary).toEqual({ same: 6 });

    // Refused operations: each a clear error, nothing in the stack, the cluster untouched.
    await refusedOperations();
    await policyPartialUpdateAndRevokedToken();

    // The masked export, for the secret audit (no PAT, password, API key or login session in it).
    await run("export");

    // The training cluster terminates (as an idle cluster would): destroy must not start it.
    expect((await h.databricks.call("POST", "/api/2.1/clusters/delete", { body: { cluster_id: TERMINATED_CLUSTER } })).status).toBe(200);
    await eventually(async () => (await cluster(TERMINATED_CLUSTER)).state === "TERMINATED");

    // Destroy: the registration is gone and each cluster's spec is what it was before.
    expect((await run("destroy")).changeSummary).toEqual({ delete: 6 });
    expect((await cluster(TERMINATED_CLUSTER)).state).toBe("TERMINATED");
    expect(registrations()).toEqual([]);
    expect(await userSpec(MANAGED_CLUSTER)).toEqual(before.running);
    expect(await userSpec(TERMINATED_CLUSTER)).toEqual(before.terminated);
    // The restoring edit restarted the running cluster, which took hsfs off; the terminated one
    // keeps it marked for removal at its next start.
    expect((await libraries(MANAGED_CLUSTER)).filter((l) => l.library.pypi?.package === HSFS_REQUIREMENT)).toEqual([]);
    expect((await libraries(TERMINATED_CLUSTER)).filter((l) => l.library.pypi?.package === HSFS_REQUIREMENT).map((l) => l.status)).toEqual(["UNINSTALL_ON_RESTART"]);
    const tokens = (await h.databricks.call("GET", "/api/2.0/token/list", { token: ALICE_TOKEN })).body.token_infos ?? [];
    expect(tokens.filter((t: { comment?: string }) => t.comment?.includes("hopsworks integration"))).toEqual([]);
  });

  /** Each refused operation, in its own stack beside the deployed one (so the instance is registered). */
  async function refusedOperations() {
    const one = (name: string, config: Record<string, string>, secretConfig: Record<string, string> = {}) =>
      stackOp({
        ...base,
        op: "up",
        programModule: compiledProgram("test/e2e/programs/hopsworks-cluster.ts"),
        projectName: "hopsworks-refused",
        stackName: name,
        config: { ...base.config, "test:workspaceHost": AWS_HOST, "test:clusterId": MANAGED_CLUSTER, ...config },
        secretConfig: { ...base.secretConfig, ...secretConfig },
      });
    const cases: [string, Record<string, string>, Record<string, string>, RegExp, string][] = [
      ["unknown-project", { "test:project": "no_such_project" }, {}, /project "no_such_project" does not exist/, MANAGED_CLUSTER],
      ["not-a-member", { "test:targetUser": OUTSIDER.username }, {}, /targetUser "outsider1" is not a member of project fraud_detection/, MANAGED_CLUSTER],
      ["unregistered", { "test:workspaceHost": AZURE_HOST }, {}, /instance adb-.* is not registered in Hopsworks for user/, MANAGED_CLUSTER],
      ["unknown-cluster", { "test:clusterId": "0101-000000-zzzzzzzz" }, {}, /cluster 0101-000000-zzzzzzzz does not exist in workspace/, MANAGED_CLUSTER],
      ["api-key-only", { "hopsworks:email": "" }, { "hopsworks:password": "", "hopsworks:apiKey": OWNER.apiKey }, /accept only a login session \(JWT\).*200003/, MANAGED_CLUSTER],
      ["no-can-manage", { "test:clusterId": ATTACH_ONLY_CLUSTER }, {}, /lacks the "Can Manage" permission on cluster 0101-000000-cccccccc.*workspace admin/, ATTACH_ONLY_CLUSTER],
      ["scientist-for-other", { "hopsworks:email": SCIENTIST.email, "test:targetUser": OWNER.username }, { "hopsworks:password": SCIENTIST.password }, /only a Data owner/, MANAGED_CLUSTER],
      ["bad-host", { "test:workspaceHost": "https://example.com" }, {}, /workspaceHost: .*expected forms are AWS/, MANAGED_CLUSTER],
    ];
    for (const [name, config, secretConfig, expected, clusterId] of cases) {
      const specBefore = await userSpec(clusterId);
      const result = await one(name, config, secretConfig);
      expect({ name, ok: result.ok }).toEqual({ name, ok: false });
      expect({ name, output: result.output }).toEqual({ name, output: expect.stringMatching(expected) });
      const exported = await stackOp({ ...base, op: "export", projectName: "hopsworks-refused", stackName: name, programModule: compiledProgram("test/e2e/programs/hopsworks-cluster.ts") });
      expect({ name, exported: exported.ok }).toEqual({ name, exported: true });
      const resources = resourcesOf(exported.deployment).filter((r) => r.type.includes("HopsworksConfiguredCluster"));
      expect({ name, resources }).toEqual({ name, resources: [] });
      await eventually(async () => ["RUNNING", "TERMINATED"].includes((await cluster(clusterId)).state));
      expect({ name, spec: await userSpec(clusterId) }).toEqual({ name, spec: specBefore });
    }
  }

  /**
   * A cluster under a cluster policy, in a stack of its own beside the deployed one (whose
   * registration Hopsworks uses): configured with the policy put back by a partial update while
   * someone else changes spark_conf (the change survives), refreshed with no drift; then its
   * Databricks token revoked out of band, so refresh and up fail with the invalid-token advice,
   * not the Can Manage one; destroyed back to its spec, policy included. A policy that forbids
   * Hopsworks' DBFS init script fails before Hopsworks touches the cluster.
   */
  async function policyPartialUpdateAndRevokedToken() {
    const request = (config: Record<string, string>, token: string): StackOpRequest => ({
      ...base,
      op: "up",
      programModule: compiledProgram("test/e2e/programs/hopsworks-cluster.ts"),
      projectName: "hopsworks-policy",
      stackName: "policy",
      config: { ...base.config, "test:workspaceHost": AWS_HOST, ...config },
      secretConfig: { ...base.secretConfig, "databricks:token": token },
    });
    const createCluster = async (name: string, policyId: string) => {
      const res = await h.databricks.call("POST", "/api/2.1/clusters/create", {
        token: ALICE_TOKEN,
        body: { cluster_name: name, spark_version: "15.4.x-scala2.12", node_type_id: "i3.xlarge", num_workers: 1, policy_id: policyId, spark_conf: { "spark.sql.shuffle.partitions": "8" } },
      });
      expect(res.status).toBe(200);
      await eventually(async () => (await cluster(res.body.cluster_id)).state === "RUNNING");
      return res.body.cluster_id as string;
    };

    // A policy that forbids what Hopsworks sets: refused before Hopsworks is asked, naming policy and key.
    const guarded = await createCluster("guarded", NO_DBFS_INIT_POLICY.policy_id);
    const guardedBefore = await userSpec(guarded);
    const refused = await stackOp({ ...request({ "test:clusterId": guarded }, ALICE_TOKEN), stackName: "guarded" });
    expect(refused.ok).toBe(false);
    expect(refused.output).toMatch(/under cluster policy "No DBFS init scripts" \(D0D0D0D0D0D0D0D1\).*init_scripts\.\*\.dbfs\.destination \(the policy forbids it.*Nothing was changed/);
    expect(await userSpec(guarded)).toEqual(guardedBefore);

    // The stack's own token for its Databricks calls, revoked later out of band.
    const made = await h.databricks.call("POST", "/api/2.0/token/create", { token: ALICE_TOKEN, body: { comment: "policy e2e", lifetime_seconds: 3600 } });
    const token = made.body.token_value as string;
    audit.addSecrets(token);
    const clusterId = await createCluster("policed", ML_POLICY.policy_id);
    const before = await userSpec(clusterId);
    // The policy's fixed values are in the spec from the start (the user never sent them).
    expect(before).toMatchObject({ policy_id: ML_POLICY.policy_id, data_security_mode: "SINGLE_USER", custom_tags: { cost_center: "ml" } });

    // Hold the restoring partial update, and change spark_conf meanwhile as a person in the UI would.
    await fetch(`${h.databricks.url()}/__sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ route: "POST /api/2.1/clusters/update", kind: "delay", delayMs: 1500, count: 1 }),
    });
    const since = (await (await fetch(`${h.databricks.url()}/__sandbox/requests`)).json()) as { requests: { seq: number }[] };
    const sinceSeq = since.requests.at(-1)?.seq ?? 0;
    const deploying = stackOp(request({ "test:clusterId": clusterId }, token));
    await eventually(async () => {
      const log = (await (await fetch(`${h.databricks.url()}/__sandbox/requests?since=${sinceSeq}`)).json()) as { requests: { path: string; fault?: string }[] };
      return log.requests.some((r) => r.path === "/api/2.1/clusters/update" && r.fault === "delay");
    }, 120_000, 20);
    await editOutOfBand(clusterId, (spec) => void (spec.spark_conf = { ...spec.spark_conf, "spark.someone.else": "kept" }));
    const deployed = await deploying;
    if (!deployed.ok) throw new Error(`policy up failed: ${deployed.error}\n${deployed.output}`);
    const configured = await cluster(clusterId);
    expect(configured.policy_id).toBe(ML_POLICY.policy_id);
    expect(configured.spark_conf).toMatchObject({ "spark.someone.else": "kept", "spark.sql.shuffle.partitions": "8", "spark.hadoop.hops.ipc.server.ssl.enabled": "true" });
    expect(configured.custom_tags).toMatchObject({ cost_center: "ml", hopsworks_user: OWNER.username });
    expect((await stackOp({ ...request({ "test:clusterId": clusterId }, token), op: "refresh", expectNoChanges: true })).ok).toBe(true);

    // The token revoked out of band: refresh and up say the token is invalid, not that Can Manage is missing.
    const tokenId = made.body.token_info.token_id as string;
    expect((await h.databricks.call("POST", "/api/2.0/token/delete", { token: ALICE_TOKEN, body: { token_id: tokenId } })).status).toBe(200);
    for (const op of ["refresh", "up"] as const) {
      const failed = await stackOp({ ...request({ "test:clusterId": clusterId, "test:targetUser": SCIENTIST.username }, token), op });
      expect({ op, ok: failed.ok }).toEqual({ op, ok: false });
      expect({ op, output: failed.output }).toEqual({ op, output: expect.stringMatching(/HTTP 403: Invalid access token\. — the token is invalid, expired or revoked: create a new one/) });
      expect({ op, output: failed.output }).toEqual({ op, output: expect.not.stringMatching(/Can Manage/) });
    }

    // The remedy: a valid token in the stack's config, and `up` goes through (and records it for destroy).
    const fixed = await stackOp(request({ "test:clusterId": clusterId }, ALICE_TOKEN));
    if (!fixed.ok) throw new Error(`up with a valid token failed: ${fixed.error}\n${fixed.output}`);
    // Destroyed: back to the spec before, policy_id and the other person's change included.
    const destroyed = await stackOp({ ...request({ "test:clusterId": clusterId }, ALICE_TOKEN), op: "destroy" });
    if (!destroyed.ok) throw new Error(`destroy failed: ${destroyed.error}\n${destroyed.output}`);
    expect(await userSpec(clusterId)).toEqual({ ...before, spark_conf: { ...before.spark_conf, "spark.someone.else": "kept" } });
    for (const id of [clusterId, guarded]) await h.databricks.call("POST", "/api/2.1/clusters/permanent-delete", { body: { cluster_id: id } });
  }

  test("secret audit: no PAT, password, API key or login session (JWT) in the exported stacks, state, engine output or provider log", async () => {
    const summary = await audit.verify();
    // The seeded credentials, the two PATs the stack made, and the JWTs Hopsworks issued to the provider.
    expect(summary.secrets).toBeGreaterThanOrEqual(12);
    expect(summary.providers).toBeGreaterThan(0);
    expect(summary.missing).toEqual([]);
  });
});
