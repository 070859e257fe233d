import type { HopsworksInstance } from "./instance";
import type { dbfsLayout } from "./client-artifacts";
import { illegalArgument } from "./errors";
import { dbfsUri, familyOf, keptFields, keptInitScriptKinds, usesMetastore } from "./release-family";
import { userView } from "./views";

/** The tags configure puts on a cluster (DatabricksController). */
export const HOPSWORKS_PROJECT_TAG = "hopsworks_project_id";
export const HOPSWORKS_USER_TAG = "hopsworks_user";

type Cluster = Record<string, unknown>;
type Layout = ReturnType<typeof dbfsLayout>;

const stringMap = (value: unknown): Record<string, string> =>
  value && typeof value === "object" && !Array.isArray(value) ? { ...(value as Record<string, string>) } : {};

/** The Spark properties that point a cluster at Hopsworks, as the release sets them. */
export function hopsworksSparkConf(inst: HopsworksInstance, layout: Layout): Record<string, string> {
  const family = familyOf(inst.version);
  return {
    "spark.hadoop.fs.hopsfs.impl": "io.hops.hopsfs.client.HopsFileSystem",
    "spark.hadoop.hops.ipc.server.ssl.enabled": "true",
    "spark.hadoop.hops.ssl.hostname.verifier": "ALLOW_ALL",
    "spark.hadoop.hops.rpc.socket.factory.class.default": "io.hops.hadoop.shaded.org.apache.hadoop.net.HopsSSLSocketFactory",
    "spark.hadoop.client.rpc.ssl.enabled.protocol": "TLSv1.2",
    "spark.hadoop.hops.ssl.keystores.passwd.name": `/dbfs${layout.certKey}`,
    "spark.hadoop.hops.ssl.keystore.name": `/dbfs${layout.keyStore}`,
    "spark.hadoop.hops.ssl.trustore.name": `/dbfs${layout.trustStore}`,
    // Kryo from 2.3 (7116a721f).
    ...(family !== "A" ? { "spark.serializer": "org.apache.spark.serializer.KryoSerializer" } : {}),
    // The metastore keys only in A and B: 3.7 (b56b0626a) configures for Delta, without Hive.
    ...(usesMetastore(inst.version)
      ? { "spark.sql.hive.metastore.jars": "/hopsworks_metastore_jar/lib/*", "spark.hadoop.hive.metastore.uris": `thrift://${inst.metastoreAddress}:9083` }
      : {}),
  };
}

/** An init-script entry as DbInitScriptInfo carries it back: kinds it does not model become `{}`. */
function roundTrip(entry: unknown, kinds: string[]): Record<string, unknown> {
  if (!entry || typeof entry !== "object") return {};
  const out: Record<string, unknown> = {};
  for (const kind of kinds) if ((entry as Cluster)[kind] !== undefined) out[kind] = (entry as Cluster)[kind];
  return out;
}

/**
 * The `clusters/edit` body configure sends: the cluster as DbCluster read it (the fields it does
 * not model dropped), its spark_conf and custom_tags merged with Hopsworks' own; in A and B the
 * init scripts REPLACED by Hopsworks' one, in C the cluster's own kept (as far as they round-trip).
 */
export function configuredSpec(
  inst: HopsworksInstance,
  cluster: Cluster,
  conf: Record<string, string>,
  projectId: number,
  username: string,
  layout: Layout,
): Cluster {
  const spec: Cluster = {};
  for (const field of keptFields(inst.version)) if (cluster[field] !== undefined) spec[field] = cluster[field];
  spec.spark_conf = { ...stringMap(cluster.spark_conf), ...conf };
  spec.custom_tags = { ...stringMap(cluster.custom_tags), [HOPSWORKS_PROJECT_TAG]: String(projectId), [HOPSWORKS_USER_TAG]: username };
  if (usesMetastore(inst.version)) {
    spec.init_scripts = [{ dbfs: { destination: dbfsUri(layout.initScript) } }];
  } else if (Array.isArray(cluster.init_scripts)) {
    spec.init_scripts = cluster.init_scripts.map((e) => roundTrip(e, keptInitScriptKinds(inst.version)));
  }
  return spec;
}

/**
 * A Databricks cluster as Hopsworks shows it (DatabricksClusterBuilder). `project` comes from the
 * tag, parsed with Integer.valueOf: a tag that is not a number fails the whole call with 422.
 * `user` is expanded (username, email, names) only in the cluster list; a single cluster carries
 * it as `{href}`. The href says `cluster`, singular, like the real builder.
 */
export function clusterView(inst: HopsworksInstance, projectId: number, instance: string, cluster: Cluster, expandUser: boolean) {
  const id = String(cluster.cluster_id ?? "");
  const tags = stringMap(cluster.custom_tags);
  const projectTag = tags[HOPSWORKS_PROJECT_TAG];
  if (projectTag !== undefined && !/^-?\d+$/.test(projectTag.trim())) throw illegalArgument(`For input string: "${projectTag}"`);
  const project = projectTag !== undefined ? inst.projectById(Number(projectTag)) : undefined;
  const user = tags[HOPSWORKS_USER_TAG] !== undefined ? inst.userByUsername(tags[HOPSWORKS_USER_TAG]!) : undefined;
  return {
    href: `${integrationHref(inst, projectId)}/${instance}/cluster/${id}`,
    id,
    name: cluster.cluster_name,
    state: cluster.state,
    sparkConfiguration: stringMap(cluster.spark_conf),
    ...(project ? { project: project.name } : {}),
    ...(user ? { user: expandUser ? userView(inst, user) : { href: userView(inst, user).href } } : {}),
  };
}

export const integrationHref = (inst: HopsworksInstance, projectId: number) => `${inst.apiBase}/project/${projectId}/integrations/databricks`;
