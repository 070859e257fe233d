import { ALICE_TOKEN, AWS_HOST, AZURE_HOST, eventually } from "../helpers/databricks-sandbox";
import {
  ATTACH_ONLY_CLUSTER,
  FAMILY_CLUSTERS,
  FAMILY_INSTANCES,
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
import { EngineHarness } from "../helpers/engine-harness";
import type { StackOpRequest } from "../../scripts/lib/stack-op-process";
import { familySparkKeys, type ReleaseFamily } from "../../provider/hopsworks/release-family";

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

/** The main instance runs 4.2.1: family C, no metastore keys. */
const HOPSWORKS_KEYS = familySparkKeys("C").sort();
/** What a 4.2 configure ends with: Hopsworks' hsfs~=4.2.0 (not on PyPI) replaced by the hopsworks client. */
const CLIENT_42 = "hopsworks[python]~=4.2.0";
/** The older families' instances, each with a registration and two configured clusters: 9 more resources. */
const OLDER = FAMILY_INSTANCES.filter((f) => f.host !== HOPSWORKS_HOST);
const F = OLDER.length * 3;
/** What each older family's configuration ends with (the client after clientLibrary's default). */
const EXPECTED: Record<string, { family: ReleaseFamily; client: string; replaced?: string; pypi: string[]; jars: number; initScript: boolean }> = {
  "hopsworks-22.example.com": { family: "A", client: "hsfs~=2.2.0", pypi: ["hops~=2.2.0.0", "hsfs~=2.2.0"], jars: 0, initScript: true },
  "hopsworks-36.example.com": { family: "B", client: "hsfs~=3.4.0", replaced: "hsfs~=3.6.0", pypi: ["hsfs~=3.4.0"], jars: 3, initScript: true },
  "hopsworks-37.example.com": { family: "C", client: "hsfs~=3.7.0", pypi: ["hsfs~=3.7.0"], jars: 2, initScript: false },
};

/**
 * Hopsworks ↔ Databricks through the real engine: a token registered with Hopsworks and two
 * clusters configured through it (one TERMINATED, one RUNNING and configured by a Data owner
 * for another member); then no-op preview and refresh, every drift case, key rotation, a target
 * user change, refused operations, the secret audit and destroy back to the clusters' old specs.
 */
describe("Hopsworks Databricks integration end to end (real engine, sandboxes)", () => {
  let h: HopsworksHarness;
  /** The stack; its audit searches every PAT, password, API key and login session used or issued in everything the engine printed or stored. */
  let stack: EngineHarness;
  let base: Omit<StackOpRequest, "op">;
  const stackOp = (request: StackOpRequest) => stack.stackOp(request);

  beforeAll(async () => {
    h = await startHopsworksTestSandbox({ timeScale: 0.001, families: true, outlivedSessions: true });
    const stackConfig = hopsworksStackConfig();
    stack = new EngineHarness({
      name: "e2e-hopsworks",
      program: "test/e2e/programs/hopsworks.ts",
      projectName: "hopsworks-e2e",
      stackName: "dev",
      endpoints: { ...h.databricks.sandbox.endpoints, ...h.hopsworks.endpoints },
      config: {
        ...stackConfig.config,
        "test:runningCluster": MANAGED_CLUSTER,
        "test:terminatedCluster": TERMINATED_CLUSTER,
        "test:targetUser": SCIENTIST.username,
        // Stack config persists between operations: every key a step sets has a base value.
        "test:extraCluster": "",
        "test:rotate": "false",
        "test:families": JSON.stringify(OLDER.map((f) => ({ host: f.host, ...FAMILY_CLUSTERS[f.host]! }))),
      },
      secretConfig: stackConfig.secretConfig,
      env: { PULUMI_DATABRICKS_INTEGRATIONS_POLL_MS: "50" },
      secrets: [ALICE_TOKEN, OWNER.password, SCIENTIST.password, OWNER.apiKey],
      sandboxUrls: [h.databricks.url(), h.url()],
      stop: () => h.close(),
    });
    base = stack.base;
  });
  afterAll(async () => (stack ? stack.close() : h?.close()));

  const run = (op: StackOpRequest["op"], extra: Partial<StackOpRequest> = {}) => stack.run(op, extra);
  const withConfig = (config: Record<string, string>) => stack.withConfig(config);
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
  const familyClusterIds = OLDER.flatMap((f) => [FAMILY_CLUSTERS[f.host]!.running, FAMILY_CLUSTERS[f.host]!.terminated]);
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
  const requestLog = async (url: string) =>
    ((await (await fetch(`${url}/__sandbox/requests`)).json()) as { requests: { host: string; method: string; path: string; status?: number }[] }).requests;
  const requestCount = async (url: string) => (await requestLog(url)).length;
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
    const familyBefore = Object.fromEntries(
      await Promise.all(familyClusterIds.map(async (id) => [id, { spec: await userSpec(id), libraries: await libraries(id) }] as const)),
    );
    expect((await cluster(TERMINATED_CLUSTER)).state).toBe("TERMINATED");
    expect((await cluster(MANAGED_CLUSTER)).state).toBe("RUNNING");

    const preview = await run("preview");
    expect(preview.changeSummary).toEqual({ create: 5 + F });
    // The first deployment: one configure is answered slower than the general client timeout
    // (it must be sent exactly once); the 3.7 instance's sessions expire mid-deployment.
    await clearRequests();
    h.hopsworks.control.addFault({
      route: "POST /hopsworks-api/api/project/*/integrations/databricks/*/clusters/*",
      kind: "slow-answer",
      delayMs: 6000,
      count: 1,
    });
    const up = await run("up", { env: { ...base.env, PULUMI_DATABRICKS_INTEGRATIONS_TIMEOUT_MS: "4000" } });
    expect(up.changeSummary).toEqual({ create: 5 + F });
    await firstDeploymentChecks(up);
    const out = (key: string) => up.outputs![key]?.value as any;
    const firstPat = out("pat") as string;

    // Registered once, with the token the stack made.
    expect(registrations()).toEqual([AWS_HOST]);
    expect(await hopsworksSecret(`db_${AWS_HOST}`)).toBe(firstPat);

    // The running cluster (4.2, family C), configured by the Data owner for the scientist.
    const running = await cluster(MANAGED_CLUSTER);
    expect(running.state).toBe("RUNNING");
    expect(
      Object.keys(running.spark_conf)
        .filter((k) => k.startsWith("spark.hadoop.") || k === "spark.serializer")
        .sort(),
    ).toEqual(HOPSWORKS_KEYS);
    expect(running.spark_conf["spark.sql.shuffle.partitions"]).toBe("64");
    expect(running.spark_conf["spark.hadoop.hops.ssl.keystore.name"]).toContain(`${PROJECT}__${SCIENTIST.username}`);
    expect(running.custom_tags).toMatchObject({ team: "fraud", hopsworks_project_id: String(PROJECT_ID), hopsworks_user: SCIENTIST.username });
    // 3.7+: no init script of Hopsworks', the user's own kept; cloud attributes kept.
    expect(running.init_scripts).toEqual(before.running.init_scripts);
    expect(running.aws_attributes).toEqual(before.running.aws_attributes);
    expect(out("initScript")).toBe("");
    expect(out("featuresFamily")).toBe("C");
    expect(out("featuresUser")).toBe(SCIENTIST.username);
    expect(out("sparkKeys")).toEqual(HOPSWORKS_KEYS);
    // Hopsworks 4.2 asked for hsfs~=4.2.0, which PyPI lacks: the hopsworks client replaces it.
    expect(out("hsfsVersion")).toBe(CLIENT_42);
    expect(up.output).toMatch(/installed hsfs~=4\.2\.0, which PyPI does not have.*installed hopsworks\[python\]~=4\.2\.0 instead/);
    const mainLibraries = await libraries(MANAGED_CLUSTER);
    expect(mainLibraries.find((l) => l.library.pypi?.package === CLIENT_42)?.status).toBe("INSTALLED");
    expect(mainLibraries.find((l) => l.library.pypi?.package === HSFS_REQUIREMENT)?.status ?? "gone").toMatch(/UNINSTALL_ON_RESTART|gone/);
    expect(out("featuresLibraries")).toEqual(expect.arrayContaining([`pypi ${CLIENT_42}`, expect.stringMatching(/^jar dbfs:\/\/\/hopsworks\/10\./)]));
    expect(out("connection")).toEqual({
      host: HOPSWORKS_HOST,
      port: 443,
      project: PROJECT,
      secretsStore: "secretsmanager",
      hostnameVerification: true,
      client: "hopsworks",
      engine: "spark-no-metastore",
    });
    expect(out("snippet")).toContain(`hopsworks.login(\n    host="${HOPSWORKS_HOST}",\n    port=443,\n    project="${PROJECT}",`);
    expect(out("snippet")).toContain(`engine="spark-no-metastore"`);

    // The terminated cluster: started by Hopsworks; 3.7+ keeps the access mode, drops the policy: put back.
    const terminated = await cluster(TERMINATED_CLUSTER);
    expect(terminated.state).toBe("RUNNING");
    expect(out("trainingState")).toBe("RUNNING");
    expect(terminated.custom_tags).toMatchObject({ cost_center: "ml", hopsworks_user: OWNER.username });
    for (const field of ["policy_id", "data_security_mode", "single_user_name"]) expect(terminated[field]).toEqual(before.terminated[field]);
    expect(out("trainingRestored")).toEqual(["policy_id"]);
    expect(up.output).toMatch(/restored policy_id/);

    // Every older family, in the same deployment.
    await familyChecks(out("families"), familyBefore);

    // No-op preview: zero requests to either service. Refresh: no changes.
    await clearRequests();
    expect((await run("preview", { expectNoChanges: true })).changeSummary).toEqual({ same: 5 + F });
    expect([await requestCount(h.databricks.url()), await requestCount(h.url())]).toEqual([0, 0]);
    expect((await run("refresh", { expectNoChanges: true })).changeSummary).toEqual({ same: 5 + F });

    // Drift on each kind of thing each older family added, all at once; one up repairs them all.
    await familyDriftRound();

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
      [
        "client library uninstalled",
        async () => {
          const res = await h.databricks.call("POST", "/api/2.0/libraries/uninstall", {
            body: { cluster_id: MANAGED_CLUSTER, libraries: [{ pypi: { package: CLIENT_42 } }] },
          });
          expect(res.status).toBe(200);
        },
        /library pypi hopsworks\[python\]~=4\.2\.0 was uninstalled/,
      ],
    ];
    for (const [label, inject, expected] of driftCases) {
      await inject();
      const refreshed = await run("refresh");
      expect({ label, summary: refreshed.changeSummary }).toEqual({ label, summary: { same: 4 + F, update: 1 } });
      const drift = (await stateOutputs("features")).drift as string[];
      expect({ label, drift: drift.join("\n") }).toEqual({ label, drift: expect.stringMatching(expected) });
      expect((await run("up")).changeSummary).toEqual({ same: 4 + F, update: 1 });
      const repaired = await cluster(MANAGED_CLUSTER);
      expect(repaired.spark_conf["spark.hadoop.hops.ssl.hostname.verifier"]).toBe("ALLOW_ALL");
      expect(repaired.spark_conf["spark.hadoop.hops.ssl.keystore.name"]).toContain(`${PROJECT}__${SCIENTIST.username}`);
      expect(repaired.custom_tags).toMatchObject({ team: "fraud", hopsworks_user: SCIENTIST.username, hopsworks_project_id: String(PROJECT_ID) });
      expect(repaired.init_scripts).toEqual(before.running.init_scripts);
      expect(repaired.aws_attributes).toEqual(before.running.aws_attributes);
      expect((await libraries(MANAGED_CLUSTER)).find((l) => l.library.pypi?.package === CLIENT_42)?.status).toBe("INSTALLED");
      expect((await run("refresh", { expectNoChanges: true })).changeSummary).toEqual({ same: 5 + F });
    }

    // A cluster permanently deleted out of band: refresh drops its configuration from the stack.
    const created = await h.databricks.call("POST", "/api/2.1/clusters/create", {
      token: ALICE_TOKEN,
      body: { cluster_name: "scratch", spark_version: "15.4.x-scala2.12", node_type_id: "i3.xlarge", num_workers: 1 },
    });
    expect(created.status).toBe(200);
    const scratchId = created.body.cluster_id as string;
    expect((await run("up", withConfig({ "test:extraCluster": scratchId }))).changeSummary).toEqual({ same: 5 + F, create: 1 });
    expect((await h.databricks.call("POST", "/api/2.1/clusters/permanent-delete", { body: { cluster_id: scratchId } })).status).toBe(200);
    expect((await run("refresh", withConfig({ "test:extraCluster": scratchId }))).changeSummary).toEqual({ same: 5 + F, delete: 1 });
    expect((await run("preview", { expectNoChanges: true })).changeSummary).toEqual({ same: 5 + F });

    // The registration's key changed out of band, then the registration removed out of band.
    h.hopsworks.instances[0]!.instance.setSecret(OWNER.email, `db_${AWS_HOST}`, "sandbox-someone-elses-key");
    // Both clusters notice too: Hopsworks can no longer reach them with that key.
    expect((await run("refresh")).changeSummary).toEqual({ same: 2 + F, update: 3 });
    expect((await stateOutputs("workspace")).keyStatus).toBe("changed out of band");
    expect((await stateOutputs("training")).drift.join("\n")).toMatch(/Hopsworks cannot reach the cluster with the key registered for owner01/);
    expect((await run("up")).changeSummary).toEqual({ same: 2 + F, update: 3 });
    expect(await hopsworksSecret(`db_${AWS_HOST}`)).toBe(firstPat);
    expect((await h.call("DELETE", `/project/${PROJECT_ID}/integrations/databricks/${AWS_HOST}`, { jwt: await h.login(OWNER) })).status).toBeLessThan(300);
    // Refresh drops the registration, and both clusters report that Hopsworks can no longer reach them.
    expect((await run("refresh")).changeSummary).toEqual({ same: 2 + F, update: 2, delete: 1 });
    expect((await run("up")).changeSummary).toEqual({ same: 2 + F, update: 2, create: 1 });
    expect(registrations()).toEqual([AWS_HOST]);
    expect((await run("refresh", { expectNoChanges: true })).changeSummary).toEqual({ same: 5 + F });

    // Key rotation: a new token takes over the registration in place (update, not replace).
    const rotated = await run("up", withConfig({ "test:rotate": "true" }));
    expect(rotated.changeSummary).toEqual({ same: 4 + F, create: 1, update: 1 });
    const secondPat = rotated.outputs!.rotatedPat!.value as string;
    expect(await hopsworksSecret(`db_${AWS_HOST}`)).toBe(secondPat);
    expect(registrations()).toEqual([AWS_HOST]);
    base.config = { ...base.config, "test:rotate": "true" };

    // Target user change: the scientist's configuration becomes the owner's, in place.
    const retargeted = await run("up", withConfig({ "test:targetUser": OWNER.email }));
    expect(retargeted.changeSummary).toEqual({ same: 5 + F, update: 1 });
    const afterRetarget = await cluster(MANAGED_CLUSTER);
    expect(afterRetarget.custom_tags.hopsworks_user).toBe(OWNER.username);
    expect(afterRetarget.spark_conf["spark.hadoop.hops.ssl.keystore.name"]).toContain(`${PROJECT}__${OWNER.username}`);
    expect(afterRetarget.init_scripts).toEqual(before.running.init_scripts);
    base.config = { ...base.config, "test:targetUser": OWNER.email };
    expect((await run("preview", { expectNoChanges: true })).changeSummary).toEqual({ same: 6 + F });

    // The deployed stack's claim is on its cluster, where people look.
    expect((await cluster(MANAGED_CLUSTER)).custom_tags.pulumi_configured_by).toMatch(/^[^/]+\/[^/]+\/[^/]+$/);
    // Refused operations: each a clear error, nothing in the stack, the cluster untouched.
    await refusedOperations();
    await policyPartialUpdateAndRevokedToken();

    // The masked export, for the secret audit (no PAT, password, API key or login session in it).
    await run("export");

    // The training cluster terminates (as an idle cluster would): destroy must not start it.
    expect((await h.databricks.call("POST", "/api/2.1/clusters/delete", { body: { cluster_id: TERMINATED_CLUSTER } })).status).toBe(200);
    await eventually(async () => (await cluster(TERMINATED_CLUSTER)).state === "TERMINATED");

    // Destroy: the registration is gone and each cluster's spec is what it was before.
    expect((await run("destroy")).changeSummary).toEqual({ delete: 6 + F });
    expect((await cluster(TERMINATED_CLUSTER)).state).toBe("TERMINATED");
    expect(registrations()).toEqual([]);
    expect(await userSpec(MANAGED_CLUSTER)).toEqual(before.running);
    expect(await userSpec(TERMINATED_CLUSTER)).toEqual(before.terminated);
    // Every library the configurations added is gone: the restoring edit restarted the running
    // clusters (uninstalls take effect then); on a terminated cluster an uninstall is immediate.
    await eventually(async () => (await libraries(MANAGED_CLUSTER)).length === 0);
    expect(await libraries(TERMINATED_CLUSTER)).toEqual([]);
    for (const id of familyClusterIds) {
      await eventually(async () => ["RUNNING", "TERMINATED"].includes((await cluster(id)).state));
      expect({ id, spec: await userSpec(id) }).toEqual({ id, spec: familyBefore[id]!.spec });
      await eventually(async () => (await libraries(id)).length === familyBefore[id]!.libraries.length);
      expect({ id, libraries: await libraries(id) }).toEqual({ id, libraries: familyBefore[id]!.libraries });
    }
    const tokens = (await h.databricks.call("GET", "/api/2.0/token/list", { token: ALICE_TOKEN })).body.token_infos ?? [];
    expect(tokens.filter((t: { comment?: string }) => t.comment?.includes("hopsworks integration"))).toEqual([]);
  });

  /**
   * What the first deployment must show beyond its outputs (request logs): the slow configure sent
   * exactly once, no collision on the fresh workspace's client uploads, the 3.7 instance's expired
   * sessions each answered by one fresh login.
   */
  async function firstDeploymentChecks(up: { output: string }) {
    const hopsworksLog = await requestLog(h.url());
    // Each cluster's configure reached Hopsworks once (a 401 for an expired session is refused
    // before anything runs, and answered by a fresh login and the same call).
    const configures = hopsworksLog.filter((r) => r.method === "POST" && /\/integrations\/databricks\/[^/]+\/clusters\//.test(r.path) && r.status !== 401);
    const perCluster: Record<string, number> = {};
    for (const r of configures) perCluster[`${r.host} ${r.path}`] = (perCluster[`${r.host} ${r.path}`] ?? 0) + 1;
    expect(Object.keys(perCluster)).toHaveLength(2 + 2 * OLDER.length);
    expect(Object.entries(perCluster).filter(([, n]) => n !== 1)).toEqual([]);
    // One of them was answered after the general client timeout (the slow-answer fault).
    expect(up.output).not.toMatch(/configure cluster failed/);
    const databricksLog = await requestLog(h.databricks.url());
    expect(databricksLog.filter((r) => /dbfs\/(create|close)$/.test(r.path) && (r.status ?? 200) >= 400)).toEqual([]);
    expect(up.output).not.toMatch(/RESOURCE_ALREADY_EXISTS/);
    const on37 = hopsworksLog.filter((r) => r.host === "hopsworks-37.example.com");
    const logins = on37.filter((r) => r.path.endsWith("/auth/login")).length;
    const refused = on37.filter((r) => r.status === 401).length;
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(logins).toBeGreaterThanOrEqual(2);
    expect(logins).toBeLessThanOrEqual(1 + refused);
  }

  /** Each older family's two clusters after the first deployment: what that release sets, and nothing else. */
  async function familyChecks(outputs: any[], familyBefore: Record<string, { spec: Record<string, any> }>) {
    for (const f of OLDER) {
      const expected = EXPECTED[f.host]!;
      const ids = FAMILY_CLUSTERS[f.host]!;
      const addr = h.hopsworks.instances.find((i) => i.host === f.host)!.instance.internalAddress;
      const outs = outputs.find((o) => o.host === f.host);
      for (const kind of ["running", "terminated"] as const) {
        const o = outs[kind];
        const label = `${f.host} ${kind}`;
        expect({ label, family: o.family, version: o.version, client: o.client, address: o.address }).toEqual({
          label,
          family: expected.family,
          version: f.version,
          client: expected.client,
          address: addr,
        });
        expect({ label, keys: o.sparkKeys }).toEqual({ label, keys: familySparkKeys(expected.family).sort() });
        const pypi = (o.libraries as string[])
          .filter((l) => l.startsWith("pypi "))
          .map((l) => l.slice(5))
          .sort();
        const jars = (o.libraries as string[]).filter((l) => l.startsWith(`jar dbfs:///hopsworks/${addr}/`));
        expect({ label, pypi, jars: jars.length }).toEqual({ label, pypi: expected.pypi.sort(), jars: expected.jars });
        const live = await cluster(ids[kind]);
        const statuses = await libraries(ids[kind]);
        for (const name of o.libraries as string[]) {
          const found = statuses.find((s) => (s.library.pypi ? `pypi ${s.library.pypi.package}` : `jar ${s.library.jar}`) === name);
          expect({ label, name, status: found?.status }).toEqual({ label, name, status: "INSTALLED" });
        }
        if (expected.replaced)
          expect(statuses.find((s) => s.library.pypi?.package === expected.replaced)?.status ?? "gone").toMatch(/UNINSTALL_ON_RESTART|gone/);
        const userScripts = familyBefore[ids[kind]]!.spec.init_scripts ?? [];
        if (expected.initScript) {
          expect(o.initScript).toBe(`dbfs:///hopsworks/${addr}/${PROJECT}__${OWNER.username}/initScript.sh`);
          expect({ label, scripts: live.init_scripts }).toEqual({ label, scripts: [...userScripts, { dbfs: { destination: o.initScript } }] });
        } else {
          expect(o.initScript).toBe("");
          expect({ label, scripts: live.init_scripts ?? [] }).toEqual({ label, scripts: userScripts });
        }
        expect(live.spark_conf["spark.hadoop.hops.ssl.keystore.name"]).toBe(
          `/dbfs/hopsworks/${addr}/${PROJECT}__${OWNER.username}/${PROJECT}__${OWNER.username}__kstore.jks`,
        );
        for (const field of ["policy_id", "data_security_mode", "single_user_name", "aws_attributes"]) {
          expect({ label, field, value: live[field] }).toEqual({ label, field, value: familyBefore[ids[kind]]!.spec[field] });
        }
        expect(o.snippet).toContain(expected.family === "C" ? 'engine="spark-no-metastore"' : "hsfs.connection(");
        if (expected.family !== "C") expect(o.snippet).not.toContain("engine=");
      }
    }
  }

  /** Per older family, on its running cluster: a Spark key removed, the user tag changed, a library uninstalled, the init script removed (A, B). */
  async function familyDriftRound() {
    const exportedFamilies = resourcesOf((await run("export")).deployment);
    for (const f of OLDER) {
      const id = FAMILY_CLUSTERS[f.host]!.running;
      await editOutOfBand(id, (spec) => {
        delete spec.spark_conf["spark.hadoop.hops.ssl.trustore.name"];
        spec.custom_tags.hopsworks_user = OUTSIDER.username;
        if (EXPECTED[f.host]!.initScript) spec.init_scripts = spec.init_scripts.filter((s: any) => !s.dbfs);
      });
      const recorded = exportedFamilies.find((r) => r.urn.endsWith(`::${f.host.split(".")[0]}-running`))!.outputs!.applied.libraries as Record<
        string,
        unknown
      >[];
      const victim = recorded.find((l) => "jar" in l) ?? recorded[0]!;
      expect((await h.databricks.call("POST", "/api/2.0/libraries/uninstall", { body: { cluster_id: id, libraries: [victim] } })).status).toBe(200);
    }
    expect((await run("refresh")).changeSummary).toEqual({ same: 5 + F - OLDER.length, update: OLDER.length });
    for (const f of OLDER) {
      const drift = ((await stateOutputs(`${f.host.split(".")[0]}-running`)).drift as string[]).join("\n");
      expect({ host: f.host, drift }).toEqual({ host: f.host, drift: expect.stringMatching(/trustore\.name was removed/) });
      expect(drift).toMatch(/hopsworks_user is "outsider1"/);
      expect(drift).toMatch(/library (jar|pypi) .* was uninstalled/);
      if (EXPECTED[f.host]!.initScript) expect(drift).toMatch(/init script dbfs:\/\/\/hopsworks\/.* was removed/);
    }
    expect((await run("up")).changeSummary).toEqual({ same: 5 + F - OLDER.length, update: OLDER.length });
    expect((await run("refresh", { expectNoChanges: true })).changeSummary).toEqual({ same: 5 + F });
  }

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
      [
        "api-key-only",
        { "hopsworks:email": "" },
        { "hopsworks:password": "", "hopsworks:apiKey": OWNER.apiKey },
        /accept only a login session \(JWT\).*200003/,
        MANAGED_CLUSTER,
      ],
      [
        "no-can-manage",
        { "test:clusterId": ATTACH_ONLY_CLUSTER },
        {},
        /lacks the "Can Manage" permission on cluster 0101-000000-cccccccc.*workspace admin/,
        ATTACH_ONLY_CLUSTER,
      ],
      [
        "scientist-for-other",
        { "hopsworks:email": SCIENTIST.email, "test:targetUser": OWNER.username },
        { "hopsworks:password": SCIENTIST.password },
        /only a Data owner/,
        MANAGED_CLUSTER,
      ],
      ["bad-host", { "test:workspaceHost": "https://example.com" }, {}, /workspaceHost: .*expected forms are AWS/, MANAGED_CLUSTER],
      // Another stack declaring the cluster the deployed stack configured (and claimed): refused, naming the holder.
      [
        "another-stack",
        { "test:targetUser": OWNER.username },
        {},
        /cluster 0101-000000-aaaaaaaa is already configured by another stack's resource "[^"\/]+\/[^"\/]+\/[^"\/]+" \(its pulumi_configured_by tag\).*takeOver: true/,
        MANAGED_CLUSTER,
      ],
    ];
    for (const [name, config, secretConfig, expected, clusterId] of cases) {
      const specBefore = await userSpec(clusterId);
      const result = await one(name, config, secretConfig);
      expect({ name, ok: result.ok }).toEqual({ name, ok: false });
      expect({ name, output: result.output }).toEqual({ name, output: expect.stringMatching(expected) });
      const exported = await stackOp({
        ...base,
        op: "export",
        projectName: "hopsworks-refused",
        stackName: name,
        programModule: compiledProgram("test/e2e/programs/hopsworks-cluster.ts"),
      });
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
        body: {
          cluster_name: name,
          spark_version: "15.4.x-scala2.12",
          node_type_id: "i3.xlarge",
          num_workers: 1,
          policy_id: policyId,
          spark_conf: { "spark.sql.shuffle.partitions": "8" },
        },
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
    expect(refused.output).toMatch(
      /under cluster policy "No TLS bypass, no DBFS init scripts" \(D0D0D0D0D0D0D0D1\).*spark_conf\.spark\.hadoop\.hops\.ssl\.hostname\.verifier \(the policy forbids it.*Nothing was changed/,
    );
    expect(await userSpec(guarded)).toEqual(guardedBefore);

    // The stack's own token for its Databricks calls, revoked later out of band.
    const made = await h.databricks.call("POST", "/api/2.0/token/create", { token: ALICE_TOKEN, body: { comment: "policy e2e", lifetime_seconds: 3600 } });
    const token = made.body.token_value as string;
    stack.audit.addSecrets(token);
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
    await eventually(
      async () => {
        const log = (await (await fetch(`${h.databricks.url()}/__sandbox/requests?since=${sinceSeq}`)).json()) as {
          requests: { path: string; fault?: string }[];
        };
        return log.requests.some((r) => r.path === "/api/2.1/clusters/update" && r.fault === "delay");
      },
      120_000,
      20,
    );
    await editOutOfBand(clusterId, (spec) => void (spec.spark_conf = { ...spec.spark_conf, "spark.someone.else": "kept" }));
    const deployed = await deploying;
    if (!deployed.ok) throw new Error(`policy up failed: ${deployed.error}\n${deployed.output}`);
    const configured = await cluster(clusterId);
    expect(configured.policy_id).toBe(ML_POLICY.policy_id);
    expect(configured.spark_conf).toMatchObject({
      "spark.someone.else": "kept",
      "spark.sql.shuffle.partitions": "8",
      "spark.hadoop.hops.ipc.server.ssl.enabled": "true",
    });
    expect(configured.custom_tags).toMatchObject({ cost_center: "ml", hopsworks_user: OWNER.username });
    expect((await stackOp({ ...request({ "test:clusterId": clusterId }, token), op: "refresh", expectNoChanges: true })).ok).toBe(true);

    // The token revoked out of band: refresh and up say the token is invalid, not that Can Manage is missing.
    const tokenId = made.body.token_info.token_id as string;
    expect((await h.databricks.call("POST", "/api/2.0/token/delete", { token: ALICE_TOKEN, body: { token_id: tokenId } })).status).toBe(200);
    for (const op of ["refresh", "up"] as const) {
      const failed = await stackOp({ ...request({ "test:clusterId": clusterId, "test:targetUser": SCIENTIST.username }, token), op });
      expect({ op, ok: failed.ok }).toEqual({ op, ok: false });
      expect({ op, output: failed.output }).toEqual({
        op,
        output: expect.stringMatching(/HTTP 403: Invalid access token\. — the token is invalid, expired or revoked: create a new one/),
      });
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
    const summary = await stack.verifySecrets();
    // The seeded credentials, the two PATs the stack made, and the JWTs Hopsworks issued to the provider.
    expect(summary.secrets).toBeGreaterThanOrEqual(12);
    expect(summary.providers).toBeGreaterThan(0);
    expect(summary.missing).toEqual([]);
  });
});
