import type { HopsworksInstance } from "./instance";
import type { dbfsLayout } from "./client-artifacts";
import { userView } from "./views";

/** The tags configure puts on a cluster (DatabricksController). */
export const HOPSWORKS_PROJECT_TAG = "hopsworks_project_id";
export const HOPSWORKS_USER_TAG = "hopsworks_user";

/**
 * The only cluster fields the backend's DbCluster models. Configure reads the cluster into that
 * model and sends it back to `clusters/edit`, so everything else (policy_id, data_security_mode,
 * single_user_name, runtime_engine, instance_pool_id, the cloud attributes, ...) is dropped and
 * Databricks resets it: the edit is lossy, as the real mapper is (inferred from its mapper).
 */
const MODELLED_FIELDS = [
  "cluster_id",
  "cluster_name",
  "spark_version",
  "node_type_id",
  "driver_node_type_id",
  "num_workers",
  "autoscale",
  "autotermination_minutes",
  "spark_conf",
  "spark_env_vars",
  "custom_tags",
  "init_scripts",
] as const;

type Cluster = Record<string, unknown>;
type Layout = ReturnType<typeof dbfsLayout>;

const stringMap = (value: unknown): Record<string, string> =>
  value && typeof value === "object" && !Array.isArray(value) ? { ...(value as Record<string, string>) } : {};

/** The Spark properties that point a cluster at Hopsworks (the metastore runs on the Hopsworks host). */
export function hopsworksSparkConf(metastoreHost: string, layout: Layout): Record<string, string> {
  return {
    "spark.hadoop.fs.hopsfs.impl": "io.hops.hopsfs.client.HopsFileSystem",
    "spark.hadoop.hops.ipc.server.ssl.enabled": "true",
    "spark.hadoop.hops.ssl.hostname.verifier": "ALLOW_ALL",
    "spark.hadoop.hops.rpc.socket.factory.class.default": "io.hops.hadoop.shaded.org.apache.hadoop.net.HopsSSLSocketFactory",
    "spark.hadoop.client.rpc.ssl.enabled.protocol": "TLSv1.2",
    "spark.hadoop.hops.ssl.keystores.passwd.name": `/dbfs${layout.certKey}`,
    "spark.hadoop.hops.ssl.keystore.name": `/dbfs${layout.keyStore}`,
    "spark.hadoop.hops.ssl.trustore.name": `/dbfs${layout.trustStore}`,
    "spark.serializer": "org.apache.spark.serializer.KryoSerializer",
    "spark.sql.hive.metastore.jars": "/hopsworks_metastore_jar/lib/*",
    "spark.hadoop.hive.metastore.uris": `thrift://${metastoreHost}:9083`,
  };
}

/**
 * The `clusters/edit` body configure sends: the modelled fields of the cluster as read, its
 * spark_conf and custom_tags merged with Hopsworks' own, and the init scripts REPLACED by the
 * Hopsworks one (the original backend did not keep existing init scripts).
 */
export function configuredSpec(cluster: Cluster, conf: Record<string, string>, projectId: number, username: string, layout: Layout): Cluster {
  const spec: Cluster = {};
  for (const field of MODELLED_FIELDS) if (cluster[field] !== undefined) spec[field] = cluster[field];
  spec.spark_conf = { ...stringMap(cluster.spark_conf), ...conf };
  spec.custom_tags = { ...stringMap(cluster.custom_tags), [HOPSWORKS_PROJECT_TAG]: String(projectId), [HOPSWORKS_USER_TAG]: username };
  spec.init_scripts = [{ dbfs: { destination: `dbfs:${layout.initScript}` } }];
  return spec;
}

/**
 * A Databricks cluster as Hopsworks shows it (DatabricksClusterBuilder). `project` and `user` come
 * from the Hopsworks tags, and only when they name a project and user that exist. The href says
 * `cluster`, singular, like the real builder.
 */
export function clusterView(inst: HopsworksInstance, projectId: number, instance: string, cluster: Cluster) {
  const id = String(cluster.cluster_id ?? "");
  const tags = stringMap(cluster.custom_tags);
  const project = tags[HOPSWORKS_PROJECT_TAG] !== undefined && /^\d+$/.test(tags[HOPSWORKS_PROJECT_TAG]!)
    ? inst.projectById(Number(tags[HOPSWORKS_PROJECT_TAG]))
    : undefined;
  const user = tags[HOPSWORKS_USER_TAG] !== undefined ? inst.userByUsername(tags[HOPSWORKS_USER_TAG]!) : undefined;
  return {
    href: `${integrationHref(inst, projectId)}/${instance}/cluster/${id}`,
    id,
    name: cluster.cluster_name,
    state: cluster.state,
    sparkConfiguration: stringMap(cluster.spark_conf),
    ...(project ? { project: project.name } : {}),
    ...(user ? { user: userView(inst, user) } : {}),
  };
}

export const integrationHref = (inst: HopsworksInstance, projectId: number) => `${inst.apiBase}/project/${projectId}/integrations/databricks`;
