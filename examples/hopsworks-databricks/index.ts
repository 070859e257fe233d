import * as databricks from "@pulumi/databricks";
import * as pulumi from "@pulumi/pulumi";
import { DatabricksAccessToken, HopsworksConfiguredCluster, HopsworksDatabricksInstance, hopsworksClusterSettings } from "pulumi-databricks-integrations";

/**
 * Hopsworks on a cluster that `@pulumi/databricks` manages.
 *
 * Two tools write one cluster: `databricks.Cluster` owns its spec, and Hopsworks' "Configure"
 * edits it (Spark properties, tags, an init script, the `hsfs` library). So that they never
 * fight, the cluster *declares* what Hopsworks will set (`hopsworksClusterSettings`, for the
 * Hopsworks release: no init script and no metastore keys from 3.7, jar libraries from 2.3, the
 * Python client that PyPI really has): Hopsworks' edit then changes nothing the cluster's owner
 * did not ask for, and the owner's later edits keep
 * Hopsworks' settings instead of stripping them. README.md explains why this beats
 * `ignoreChanges`.
 */
export = async () => {
  const hopsworks = new pulumi.Config("hopsworks");
  const example = new pulumi.Config("example");
  const username = example.require("clusterUser"); // the Hopsworks username the cluster is for

  const token = new DatabricksAccessToken("hopsworks", { comment: "Hopsworks feature store integration", lifetimeDays: 90, rotateBeforeDays: 14 });
  const registration = new HopsworksDatabricksInstance("workspace", { workspaceHost: token.host, apiKey: token.value });

  const forHopsworks = hopsworksClusterSettings({
    hopsworksHost: hopsworks.require("host"),
    project: hopsworks.require("project"),
    projectId: registration.projectId,
    username,
    hopsworksVersion: example.require("hopsworksVersion"),
    // Where Hopsworks keeps its files on DBFS (`dbfs:/hopsworks/<addr>/`): its internal address,
    // and the client jars there (2.3+ installs each as a library). Both are visible on DBFS after
    // a first configure, or from the Hopsworks administrator.
    internalAddress: example.get("hopsworksAddress"),
    clientJars: example.getObject<string[]>("clientJars"),
    // The configured cluster below tags the cluster with its claim (pulumi_configured_by): declared too.
    configuredBy: "training",
  });

  const myInitScripts = [{ workspace: { destination: "/Shared/init/install-monitoring.sh" } }];
  const cluster = new databricks.Cluster("training", {
    clusterName: "training",
    sparkVersion: "15.4.x-scala2.12",
    nodeTypeId: "i3.xlarge",
    numWorkers: 2,
    autoterminationMinutes: 30,
    sparkConf: forHopsworks.sparkConf.apply((hops) => ({ "spark.speculation": "true", ...hops })),
    customTags: forHopsworks.customTags.apply((tags) => ({ team: "ml-platform", ...tags })),
    // Yours first, Hopsworks' last: the order HopsworksConfiguredCluster keeps.
    initScripts: forHopsworks.initScripts.apply((hops) => [...myInitScripts, ...hops]),
    libraries: forHopsworks.libraries,
    // Hopsworks uploads the init script and key stores on first configure: until then a start
    // would fail on the missing script, so do not wait for RUNNING here; the configured cluster
    // waits, and starts it through Hopsworks.
    noWait: true,
  });

  const configured = new HopsworksConfiguredCluster("training", {
    workspaceHost: registration.workspaceHost,
    clusterId: cluster.clusterId,
    targetUser: username,
    // The cluster's spec belongs to databricks.Cluster, which declares Hopsworks' settings:
    // deleting this resource must not strip them behind its back.
    restoreOnDelete: false,
  });

  return {
    clusterId: cluster.clusterId,
    hopsworksSparkKeys: forHopsworks.sparkConf.apply((conf) => Object.keys(conf).length),
    drift: configured.drift,
    snippet: configured.snippet,
  };
};
