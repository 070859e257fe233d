import { spawnSync } from "child_process";
import * as path from "path";
import { clusterSettingsOf } from "../../provider/hopsworks/cluster-settings";
import { MOCK_RESULT_MARKER, type MockedResource } from "../helpers/mock-run";

/**
 * examples/hopsworks-databricks needs the @pulumi/databricks provider plugin, which this machine
 * cannot download, so it runs under Pulumi's mocks (see the example's README): the program and
 * its wiring are real, the providers are not. What must hold: the cluster @pulumi/databricks
 * creates declares exactly what Hopsworks will set, after the user's own settings, and the
 * configured cluster targets that cluster.
 */
const REPO_ROOT = path.resolve(__dirname, "..", "..");
const TYPE = {
  cluster: "databricks:index/cluster:Cluster",
  instance: "pulumi-nodejs:dynamic/databricks-integrations:HopsworksDatabricksInstance",
  configured: "pulumi-nodejs:dynamic/databricks-integrations:HopsworksConfiguredCluster",
};

function runUnderMocks(): { resources: MockedResource[]; outputs: Record<string, unknown> } {
  const config = {
    "databricks:host": "dbc-7f3e2a1b-9c4d.cloud.databricks.com",
    "hopsworks:host": "hopsworks.example.com",
    "hopsworks:project": "fraud_detection",
    "example:clusterUser": "mlengineer",
    "example:hopsworksVersion": "4.2.1",
    "example:hopsworksAddress": "10.0.0.4",
    "example:clientJars": JSON.stringify(["hops-hadoop-client-4.2.0.jar", "hsfs-spark-4.2.0.jar"]),
  };
  const outputs = {
    [TYPE.instance]: { projectId: 119, username: "platformadmin", workspaceHost: "dbc-7f3e2a1b-9c4d.cloud.databricks.com" },
    [TYPE.cluster]: { clusterId: "0923-164208-efgh5678" },
    [TYPE.configured]: { drift: [], snippet: "import hsfs" },
  };
  const run = spawnSync(
    process.execPath,
    [
      path.join(REPO_ROOT, "dist/test/helpers/mock-run.js"),
      path.join(REPO_ROOT, "dist/examples/hopsworks-databricks/index.js"),
      JSON.stringify(config),
      JSON.stringify(outputs),
    ],
    { cwd: REPO_ROOT, encoding: "utf8" },
  );
  const at = run.stdout.lastIndexOf(MOCK_RESULT_MARKER);
  if (at < 0) throw new Error(`mock run failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(run.stdout.slice(at + MOCK_RESULT_MARKER.length));
}

describe("examples/hopsworks-databricks (under Pulumi mocks)", () => {
  const { resources, outputs } = runUnderMocks();
  const one = (type: string) => {
    const found = resources.filter((r) => r.type === type);
    expect(found).toHaveLength(1);
    return found[0].inputs as Record<string, any>;
  };
  const hops = clusterSettingsOf({
    hopsworksHost: "hopsworks.example.com",
    project: "fraud_detection",
    projectId: 119,
    username: "mlengineer",
    hopsworksVersion: "4.2.1",
    internalAddress: "10.0.0.4",
    clientJars: ["hops-hadoop-client-4.2.0.jar", "hsfs-spark-4.2.0.jar"],
    claim: "mock-project/mock-stack/training",
  });

  test("the declared claim tag is the one the configured cluster writes", () => {
    expect(one(TYPE.configured).claim).toBe("mock-project/mock-stack/training");
  });

  test("the @pulumi/databricks cluster declares every Spark property, tag and library Hopsworks sets, beside its own", () => {
    const cluster = one(TYPE.cluster);
    expect(cluster.sparkConf).toEqual({ "spark.speculation": "true", ...hops.sparkConf });
    expect(cluster.customTags).toEqual({ team: "ml-platform", ...hops.customTags });
    expect(cluster.libraries).toEqual(hops.libraries);
    expect(cluster.noWait).toBe(true);
  });

  test("its init scripts are the user's first, then Hopsworks': the order the configured cluster keeps", () => {
    expect(one(TYPE.cluster).initScripts).toEqual([{ workspace: { destination: "/Shared/init/install-monitoring.sh" } }, ...hops.initScripts]);
  });

  test("the configured cluster targets that cluster for the configured user, through the registration", () => {
    const configured = one(TYPE.configured);
    expect(configured).toMatchObject({
      clusterId: "0923-164208-efgh5678",
      targetUser: "mlengineer",
      workspaceHost: "dbc-7f3e2a1b-9c4d.cloud.databricks.com",
      restoreOnDelete: false,
    });
    expect(one(TYPE.instance)).toMatchObject({ workspaceHost: "dbc-7f3e2a1b-9c4d.cloud.databricks.com" });
    expect(outputs).toMatchObject({ clusterId: "0923-164208-efgh5678", hopsworksSparkKeys: 9, drift: [] });
  });
});
