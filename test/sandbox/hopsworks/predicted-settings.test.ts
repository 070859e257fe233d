import { clusterSettingsOf } from "../../../provider/hopsworks/cluster-settings";
import { ALICE_TOKEN, AWS_HOST } from "../../helpers/databricks-sandbox";
import {
  HOPSWORKS_HOST,
  HOPSWORKS_VERSION,
  MANAGED_CLUSTER,
  OWNER,
  PROJECT,
  PROJECT_ID,
  SCIENTIST,
  type HopsworksHarness,
  startHopsworksTestSandbox,
} from "../../helpers/hopsworks-sandbox";

/**
 * `hopsworksClusterSettings` predicts what Hopsworks' configure writes, so that a cluster's
 * owner (e.g. @pulumi/databricks) can declare it. The prediction must equal what configure does.
 */
describe("predicted Hopsworks cluster settings", () => {
  let h: HopsworksHarness;
  beforeAll(async () => {
    h = await startHopsworksTestSandbox();
  });
  afterAll(async () => h.close());

  test("equal what configure writes for a Data owner configuring for a member", async () => {
    const jwt = await h.login(OWNER);
    const base = `/project/${PROJECT_ID}/integrations/databricks/${AWS_HOST}`;
    expect((await h.call("POST", base, { jwt, body: { apiKey: ALICE_TOKEN } })).status).toBe(200);
    expect((await h.call("POST", `${base}/clusters/${MANAGED_CLUSTER}?username=${SCIENTIST.username}`, { jwt })).status).toBe(200);

    const predicted = clusterSettingsOf({
      hopsworksHost: HOPSWORKS_HOST,
      project: PROJECT,
      projectId: PROJECT_ID,
      username: SCIENTIST.username,
      hopsworksVersion: HOPSWORKS_VERSION,
      internalAddress: h.hopsworks.instances[0]!.instance.internalAddress,
      clientJars: ["hops-hadoop-client-4.2.0.jar", "hsfs-spark-4.2.0.jar", "hudi-spark-bundle-0.10.0.4.2.0.jar"],
    });
    const cluster = (await h.databricks.call("GET", `/api/2.0/clusters/get?cluster_id=${MANAGED_CLUSTER}`)).body;
    expect(cluster.spark_conf).toMatchObject(predicted.sparkConf);
    expect(cluster.custom_tags).toMatchObject(predicted.customTags);
    expect(cluster.init_scripts).toEqual(expect.arrayContaining(predicted.initScripts));
    const libraries = (await h.databricks.call("GET", `/api/2.0/libraries/cluster-status?cluster_id=${MANAGED_CLUSTER}`)).body;
    // Hopsworks' own list, except its client: the prediction names the one the configured cluster
    // ends with (hsfs~=4.2.0 does not exist on PyPI; the resource replaces it).
    const written = libraries.library_statuses.map((s: { library: unknown }) => s.library);
    expect(written).toEqual(
      predicted.libraries.map((l) => ("pypi" in l && l.pypi.package === "hopsworks[python]~=4.2.0" ? { pypi: { package: "hsfs~=4.2.0" } } : l)),
    );
    expect(predicted.libraries[0]).toEqual({ pypi: { package: "hopsworks[python]~=4.2.0" } });
    // 4.2 is family C: no init script, no metastore keys.
    expect(predicted.initScripts).toEqual([]);
    expect(predicted.sparkConf).not.toHaveProperty("spark.hadoop.hive.metastore.uris");
  });

  test("a version that is not major.minor.patch is refused, naming the field", () => {
    expect(() => clusterSettingsOf({ hopsworksHost: HOPSWORKS_HOST, project: PROJECT, projectId: 1, username: "u", hopsworksVersion: "latest" })).toThrow(
      'hopsworksVersion: "latest" is not a version like 4.2.1',
    );
  });
});
