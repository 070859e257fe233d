import { clusterSettingsOf } from "../../provider/hopsworks/cluster-settings";
import { clientFolder, internalAddressOf } from "../../sandbox/hopsworks/release-family";
import { ALICE_TOKEN, AWS_HOST, eventually } from "../helpers/databricks-sandbox";
import { EngineHarness } from "../helpers/engine-harness";
import {
  HOPSWORKS_HOST,
  HOPSWORKS_VERSION,
  OWNER,
  PROJECT,
  PROJECT_ID,
  SCIENTIST,
  hopsworksStackConfig,
  startHopsworksTestSandbox,
  type HopsworksHarness,
} from "../helpers/hopsworks-sandbox";
import type { StackOpRequest } from "../../scripts/lib/stack-op-process";

jest.setTimeout(300_000);

/**
 * examples/hopsworks-databricks on the real engine, as far as this machine allows: the
 * @pulumi/databricks provider cannot be had here, so the test plays its part through the
 * Databricks API exactly as it would (create the cluster with the declared spec; later edit it
 * with the full declared spec), and the Hopsworks half runs on the engine. What must hold: the
 * two never fight. Configure leaves the declared spec as declared, the owner's edits keep
 * Hopsworks working, and deleting the configuration leaves the owner's spec alone.
 */
describe("a cluster @pulumi/databricks owns, configured for Hopsworks", () => {
  let h: HopsworksHarness;
  /** The configuration's stack; its audit searches every PAT, password and login session used or issued in everything the engine printed or stored. */
  let stack: EngineHarness;
  // What the owner reads on DBFS after a first configure (or asks the Hopsworks admin): the
  // internal address under /hopsworks/ and the client jars there.
  const hops = clusterSettingsOf({
    hopsworksHost: HOPSWORKS_HOST,
    project: PROJECT,
    projectId: PROJECT_ID,
    username: SCIENTIST.username,
    hopsworksVersion: HOPSWORKS_VERSION,
    internalAddress: internalAddressOf(HOPSWORKS_HOST),
    clientJars: clientFolder(HOPSWORKS_VERSION).map((f) => f.name),
    // test/e2e/programs/hopsworks-declared-cluster.ts's resource, in this test's project and stack.
    claim: "hopsworks-declared/dev/declared",
  });
  const monitoring = { workspace: { destination: "/Shared/init/install-monitoring.sh" } };
  const declared = {
    cluster_name: "declared-training",
    spark_version: "15.4.x-scala2.12",
    node_type_id: "i3.xlarge",
    num_workers: 2,
    autotermination_minutes: 30,
    spark_conf: { "spark.speculation": "true", ...hops.sparkConf },
    custom_tags: { team: "ml-platform", ...hops.customTags },
    init_scripts: [monitoring, ...hops.initScripts],
  };
  let clusterId: string;

  const cluster = async () =>
    (await h.databricks.call("GET", `/api/2.1/clusters/get?cluster_id=${clusterId}`, { token: ALICE_TOKEN })).body as Record<string, any>;
  const declaredPart = (live: Record<string, any>) => Object.fromEntries(Object.keys(declared).map((k) => [k, live[k]]));
  const settled = () => eventually(async () => ["RUNNING", "TERMINATED"].includes((await cluster()).state));
  const run = (op: StackOpRequest["op"], extra: Partial<StackOpRequest> = {}) => stack.run(op, extra);

  beforeAll(async () => {
    h = await startHopsworksTestSandbox({ timeScale: 0.001 });
    const jwt = await h.login(OWNER);
    expect((await h.call("POST", `/project/${PROJECT_ID}/integrations/databricks/${AWS_HOST}`, { jwt, body: { apiKey: ALICE_TOKEN } })).status).toBe(200);
    // What databricks.Cluster does on create: the declared spec, then its libraries.
    const created = await h.databricks.call("POST", "/api/2.1/clusters/create", { token: ALICE_TOKEN, body: declared });
    expect(created.status).toBe(200);
    clusterId = created.body.cluster_id;
    const install = await h.databricks.call("POST", "/api/2.0/libraries/install", {
      token: ALICE_TOKEN,
      body: { cluster_id: clusterId, libraries: hops.libraries },
    });
    expect(install.status).toBe(200);
    const { config, secretConfig } = hopsworksStackConfig();
    stack = new EngineHarness({
      name: "e2e-declared",
      program: "test/e2e/programs/hopsworks-declared-cluster.ts",
      projectName: "hopsworks-declared",
      stackName: "dev",
      endpoints: { ...h.databricks.sandbox.endpoints, ...h.hopsworks.endpoints },
      config: {
        ...config,
        "test:workspaceHost": AWS_HOST,
        "test:clusterId": clusterId,
        "test:targetUser": SCIENTIST.username,
      },
      secretConfig,
      env: { PULUMI_DATABRICKS_INTEGRATIONS_POLL_MS: "50" },
      secrets: [ALICE_TOKEN, OWNER.password],
      sandboxUrls: [h.databricks.url(), h.url()],
      stop: () => h.close(),
    });
  });
  afterAll(async () => (stack ? stack.close() : h?.close()));

  test("configure leaves the declared spec exactly as declared: nothing for the owner's refresh to see", async () => {
    const up = await run("up");
    expect(up.outputs?.drift.value).toEqual([]);
    await settled();
    expect(declaredPart(await cluster())).toEqual(declared);
    const refresh = await run("refresh");
    expect(refresh.changeSummary).not.toHaveProperty("update");
    await run("preview", { expectNoChanges: true });
  });

  test("the owner's own edit (full declared spec, more workers) keeps Hopsworks configured", async () => {
    await settled();
    const edit = await h.databricks.call("POST", "/api/2.1/clusters/edit", {
      token: ALICE_TOKEN,
      body: { ...declared, cluster_id: clusterId, num_workers: 4 },
    });
    expect(edit.status).toBe(200);
    await run("refresh");
    await run("preview", { expectNoChanges: true });
    const exported = await run("export");
    const resource = (exported.deployment as any).deployment.resources.find((r: any) => r.urn.endsWith("::declared"));
    expect(resource.outputs.drift).toEqual([]);
  });

  test("destroy leaves the owner's spec alone (restoreOnDelete: false)", async () => {
    await settled();
    await run("destroy");
    expect(declaredPart(await cluster())).toEqual({ ...declared, num_workers: 4 });
  });

  test("secret audit: no PAT, password or login session in the exported stack, state, engine output or provider log", async () => {
    const summary = await stack.verifySecrets();
    expect(summary.secrets).toBeGreaterThanOrEqual(4);
    expect(summary.providers).toBeGreaterThan(0);
    expect(summary.missing).toEqual([]);
  });
});
