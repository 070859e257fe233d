import type * as pulumi from "@pulumi/pulumi";
import { provider as clusterProvider, type ConfiguredClusterOutputs } from "../../../provider/hopsworks/configured-cluster";
import { provider as instanceProvider } from "../../../provider/hopsworks/databricks-instance";
import { ALICE_TOKEN, AWS_HOST, eventually } from "../../helpers/databricks-sandbox";
import {
  HOPSWORKS_HOST,
  MANAGED_CLUSTER,
  OWNER,
  PROJECT,
  PROJECT_ID,
  SCIENTIST,
  startHopsworksTestSandbox,
  type HopsworksHarness,
  editableSpec,
} from "../../helpers/hopsworks-sandbox";

jest.setTimeout(60_000);

/** Both Hopsworks providers configured as the engine would, as the owner, against the harness. */
function configureProviders(h: HopsworksHarness): void {
  for (const provider of [instanceProvider, clusterProvider]) {
    provider.configure!({
      config: {
        get: (key: string) =>
          ({
            "databricks:host": AWS_HOST,
            "databricks:token": ALICE_TOKEN,
            "hopsworks:email": OWNER.email,
            "hopsworks:password": OWNER.password,
            "databricks-integrations:endpoints": JSON.stringify({ ...h.databricks.sandbox.endpoints, ...h.hopsworks.endpoints }),
          })[key],
      } as unknown as pulumi.Config,
    });
  }
}

// The Hopsworks resources' providers run in-process against the sandboxes (configured as the
// engine would): old state shapes, a refused registration, a lost configure answer.

/**
 * A stack written by the version before release families (no clientLibrary, configureTimeoutMinutes
 * or apiKeyFile inputs; `applied` with only `hsfsRequirement` for libraries; an `hsfs.connection`
 * snippet): the installed package must refresh it, diff it without inventing changes, and destroy
 * it, taking out what that version recorded. The providers run in-process, as the engine would.
 */
describe("state written before release families", () => {
  let h: HopsworksHarness;
  beforeAll(async () => {
    h = await startHopsworksTestSandbox();
    configureProviders(h);
  });
  afterAll(async () => h?.close());

  const cluster = async () => (await h.databricks.call("GET", `/api/2.0/clusters/get?cluster_id=${MANAGED_CLUSTER}`)).body as Record<string, any>;

  test("refresh, diff and destroy of an old configured cluster", async () => {
    const before = await cluster();
    const jwt = await h.login(OWNER);
    const base = `/project/${PROJECT_ID}/integrations/databricks/${AWS_HOST}`;
    expect((await h.call("POST", base, { jwt, body: { apiKey: ALICE_TOKEN } })).status).toBe(200);
    expect((await h.call("POST", `${base}/clusters/${MANAGED_CLUSTER}`, { jwt })).status).toBe(200);
    await eventually(async () => (await cluster()).state === "RUNNING");
    const configured = await cluster();
    const sparkConf = Object.fromEntries(
      Object.entries(configured.spark_conf as Record<string, string>).filter(([k]) => k.startsWith("spark.hadoop.") || k === "spark.serializer"),
    );

    const inputs = {
      project: PROJECT,
      hopsworksHost: HOPSWORKS_HOST,
      workspaceHost: AWS_HOST,
      clusterId: MANAGED_CLUSTER,
      waitForRunning: true,
      runningTimeoutMinutes: 20,
      restoreOnDelete: true,
      secretsStore: "secretsmanager" as const,
      hostnameVerification: true,
    };
    const connection = { host: HOPSWORKS_HOST, port: 443, project: PROJECT, secretsStore: "secretsmanager", hostnameVerification: true };
    const { spec: _spec, ...originalSpec } = editableSpec(before);
    const old = {
      ...inputs,
      projectId: PROJECT_ID,
      callerUsername: OWNER.username,
      targetUsername: OWNER.username,
      clusterName: String(before.cluster_name),
      clusterState: "RUNNING",
      hsfsVersion: "hsfs~=4.2.0",
      hopsworksSparkConf: sparkConf,
      initScript: "",
      applied: {
        sparkConf,
        tags: { hopsworks_project_id: String(PROJECT_ID), hopsworks_user: OWNER.username },
        initScripts: [],
        hsfsRequirement: "hsfs~=4.2.0",
        hsfsPreinstalled: false,
      },
      originalSpec,
      restored: [],
      drift: [],
      connection,
      snippet: "import hsfs\n",
    } as unknown as ConfiguredClusterOutputs;
    const id = `${AWS_HOST}/${MANAGED_CLUSTER}`;

    const read = await clusterProvider.read!(id, old);
    expect(read.id).toBe(id);
    // The old record's hsfs is the one Hopsworks 4.2 asked for: FAILED, so it shows as gone (the next up installs the client that exists).
    expect((read.props as ConfiguredClusterOutputs).drift.join("\n")).not.toMatch(/spark_conf|custom_tags/);

    // No new input changes anything by itself: only the drift the refresh found.
    const diff = await clusterProvider.diff!(id, { ...old, drift: [] }, { ...inputs, configureTimeoutMinutes: 10 } as never);
    expect(diff.changes).toBe(false);

    await clusterProvider.delete!(id, old);
    await eventually(async () => ["RUNNING", "TERMINATED"].includes((await cluster()).state));
    const after = await cluster();
    expect(Object.keys(after.spark_conf ?? {}).filter((k) => k in sparkConf)).toEqual([]);
    expect(after.custom_tags ?? {}).not.toHaveProperty("hopsworks_user");
    const libs = ((await h.databricks.call("GET", `/api/2.0/libraries/cluster-status?cluster_id=${MANAGED_CLUSTER}`)).body.library_statuses ?? []) as {
      library: any;
      status: string;
    }[];
    // What the old version recorded (hsfs) is marked for removal; the jars it never knew of stay (it did not record them).
    expect(libs.find((l) => l.library.pypi?.package === "hsfs~=4.2.0")?.status ?? "gone").toMatch(/UNINSTALL_ON_RESTART|gone/);
  });
});

describe("registration refused by Hopsworks' 160049", () => {
  let h: HopsworksHarness;
  beforeAll(async () => {
    h = await startHopsworksTestSandbox();
  });
  afterAll(async () => h?.close());

  test("a db_<host> secret left without a registration: the error says which secret to delete", async () => {
    instanceProvider.configure!({
      config: {
        get: (key: string) =>
          ({
            "hopsworks:email": OWNER.email,
            "hopsworks:password": OWNER.password,
            "databricks-integrations:endpoints": JSON.stringify({ ...h.databricks.sandbox.endpoints, ...h.hopsworks.endpoints }),
          })[key],
      } as unknown as pulumi.Config,
    });
    h.hopsworks.instances[0]!.instance.setSecret(OWNER.email, `db_${AWS_HOST}`, "sandbox-left-behind-key");
    const err = await instanceProvider.create!({ project: PROJECT, hopsworksHost: HOPSWORKS_HOST, workspaceHost: AWS_HOST, apiKey: ALICE_TOKEN }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(
      new RegExp(`secret named db_${AWS_HOST.replace(/\./g, "\\.")} but no registration .*Delete the secret db_${AWS_HOST.replace(/\./g, "\\.")}`),
    );
    expect(err?.message).not.toContain(ALICE_TOKEN);
  });
});

describe("a configure whose answer is lost", () => {
  let h: HopsworksHarness;
  beforeAll(async () => {
    h = await startHopsworksTestSandbox();
    configureProviders(h);
    process.env.PULUMI_DATABRICKS_INTEGRATIONS_CONFIGURE_TIMEOUT_MS = "1500";
    process.env.PULUMI_DATABRICKS_INTEGRATIONS_POLL_MS = "50";
  });
  afterAll(async () => {
    delete process.env.PULUMI_DATABRICKS_INTEGRATIONS_CONFIGURE_TIMEOUT_MS;
    delete process.env.PULUMI_DATABRICKS_INTEGRATIONS_POLL_MS;
    await h?.close();
  });

  test("is not sent again: the cluster shows Hopsworks' changes, so the resource waits for its libraries and finishes", async () => {
    await instanceProvider.create!({ project: PROJECT, hopsworksHost: HOPSWORKS_HOST, workspaceHost: AWS_HOST, apiKey: ALICE_TOKEN });
    // Hopsworks does the work; its answer comes after the configure timeout.
    h.hopsworks.control.addFault({
      route: "POST /hopsworks-api/api/project/*/integrations/databricks/*/clusters/*",
      kind: "slow-answer",
      delayMs: 4000,
      count: 1,
    });
    const created = await clusterProvider.create!({ ...baseInputs(), clusterId: MANAGED_CLUSTER });
    expect((created.outs as ConfiguredClusterOutputs).drift).toEqual([]);
    const configures = h.hopsworks.control.requests().filter((r) => r.method === "POST" && r.path.includes(`/clusters/${MANAGED_CLUSTER}`));
    expect(configures).toHaveLength(1);
    await clusterProvider.delete!(created.id, created.outs);
  });

  const baseInputs = () => ({
    project: PROJECT,
    hopsworksHost: HOPSWORKS_HOST,
    workspaceHost: AWS_HOST,
    waitForRunning: true,
    runningTimeoutMinutes: 20,
    restoreOnDelete: true,
    secretsStore: "secretsmanager" as const,
    hostnameVerification: true,
    configureTimeoutMinutes: 10,
  });
});

describe("two stacks that declare one configured cluster", () => {
  let h: HopsworksHarness;
  beforeAll(async () => {
    h = await startHopsworksTestSandbox();
    configureProviders(h);
    process.env.PULUMI_DATABRICKS_INTEGRATIONS_POLL_MS = "50";
  });
  afterAll(async () => {
    delete process.env.PULUMI_DATABRICKS_INTEGRATIONS_POLL_MS;
    await h?.close();
  });

  const tags = async () =>
    ((await h.databricks.call("GET", `/api/2.0/clusters/get?cluster_id=${MANAGED_CLUSTER}`)).body.custom_tags ?? {}) as Record<string, string>;
  const inputs = (claim: string, extra: Record<string, unknown> = {}) => ({
    project: PROJECT,
    hopsworksHost: HOPSWORKS_HOST,
    workspaceHost: AWS_HOST,
    clusterId: MANAGED_CLUSTER,
    waitForRunning: true,
    runningTimeoutMinutes: 20,
    restoreOnDelete: true,
    secretsStore: "secretsmanager" as const,
    hostnameVerification: true,
    configureTimeoutMinutes: 10,
    takeOver: false,
    claim,
    ...extra,
  });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => (e as Error).message,
    );

  test("the second is refused naming the holder; after the first's destroy it deploys; takeOver is the explicit way", async () => {
    await instanceProvider.create!({ project: PROJECT, hopsworksHost: HOPSWORKS_HOST, workspaceHost: AWS_HOST, apiKey: ALICE_TOKEN });
    const first = await clusterProvider.create!(inputs("features/team-a/feature-engineering"));
    // The claim is where people look: the cluster's tags.
    expect(await tags()).toMatchObject({ pulumi_configured_by: "features/team-a/feature-engineering", hopsworks_user: OWNER.username });

    const before = await tags();
    const message = await refusal(clusterProvider.create!(inputs("features/team-b/feature-engineering", { targetUser: SCIENTIST.username })));
    expect(message).toMatch(
      /already configured by another stack's resource "features\/team-a\/feature-engineering" \(its pulumi_configured_by tag\).*takeOver: true/,
    );
    // Refused before Hopsworks was asked: the cluster is as the first stack left it.
    expect(await tags()).toEqual(before);

    // After the first stack's destroy (its claim and Hopsworks' tags gone), the second deploys.
    await clusterProvider.delete!(first.id, first.outs);
    expect(await tags()).not.toHaveProperty("pulumi_configured_by");
    const settled = () =>
      eventually(async () =>
        ["RUNNING", "TERMINATED"].includes((await h.databricks.call("GET", `/api/2.0/clusters/get?cluster_id=${MANAGED_CLUSTER}`)).body.state),
      );
    await settled();
    const teamB = await clusterProvider.create!(inputs("features/team-b/feature-engineering", { targetUser: SCIENTIST.username }));
    expect(await tags()).toMatchObject({ pulumi_configured_by: "features/team-b/feature-engineering", hopsworks_user: SCIENTIST.username });
    await clusterProvider.delete!(teamB.id, teamB.outs);
    await settled();

    // A cluster Hopsworks configured outside any stack, for someone else: refused too, naming them.
    await eventually(async () =>
      ["RUNNING", "TERMINATED"].includes((await h.databricks.call("GET", `/api/2.0/clusters/get?cluster_id=${MANAGED_CLUSTER}`)).body.state),
    );
    const jwt = await h.login(OWNER);
    expect(
      (await h.call("POST", `/project/${PROJECT_ID}/integrations/databricks/${AWS_HOST}/clusters/${MANAGED_CLUSTER}?username=${SCIENTIST.username}`, { jwt }))
        .status,
    ).toBe(200);
    expect(await refusal(clusterProvider.create!(inputs("features/team-b/feature-engineering")))).toMatch(
      new RegExp(`already configured by Hopsworks for user "${SCIENTIST.username}" in project ${PROJECT_ID} .*takeOver: true`),
    );
    // With takeOver it is configured and claimed; its destroy takes the claim out again.
    const second = await clusterProvider.create!(inputs("features/team-b/feature-engineering", { takeOver: true }));
    expect(await tags()).toMatchObject({ pulumi_configured_by: "features/team-b/feature-engineering", hopsworks_user: OWNER.username });
    await clusterProvider.delete!(second.id, second.outs);
    expect(await tags()).not.toHaveProperty("pulumi_configured_by");
  });

  test("a registration of the same workspace from another stack, with its own key, is refused: it would replace the first stack's key", async () => {
    const other = await refusal(
      instanceProvider.create!({ project: PROJECT, hopsworksHost: HOPSWORKS_HOST, workspaceHost: AWS_HOST, apiKey: "sandbox-other-stack-key-0000" }),
    );
    expect(other).toMatch(new RegExp(`${AWS_HOST.replace(/\./g, "\\.")} is already registered in Hopsworks for this user with a different key`));
    expect(other).not.toContain("sandbox-other-stack-key-0000");
  });
});
