import * as pulumi from "@pulumi/pulumi";

/** The custom tags that say which project and user a cluster is configured for. */
export const TAG_PROJECT_ID = "hopsworks_project_id";
export const TAG_USER = "hopsworks_user";

/**
 * What Hopsworks' "Configure" writes into a cluster, computed ahead of time so that whoever owns
 * the cluster's spec (for example a `@pulumi/databricks` `Cluster`) can declare it. Then both
 * tools agree on one desired spec: Hopsworks' edit changes nothing the owner did not declare,
 * and the owner's own edits keep Hopsworks' settings instead of stripping them.
 *
 * The values follow Hopsworks' DatabricksController (see the API reference): key material under
 * `/hopsworks/<addr>/<project>__<user>/` on DBFS, where `<addr>` is the Hopsworks host (our
 * choice where the sources leave it open), the metastore on the Hopsworks host, `hsfs` pinned to
 * the Hopsworks minor version. `HopsworksConfiguredCluster` reports any key that differs from
 * what Hopsworks actually set as drift, so a wrong prediction is seen, not silently fought over.
 */
export interface HopsworksClusterSettingsArgs {
  /** The Hopsworks host, e.g. `hopsworks.example.com`. */
  hopsworksHost: string;
  /** The project name. */
  project: string;
  /** The project id (`HopsworksDatabricksInstance.projectId`). */
  projectId: number;
  /** The Hopsworks *username* (not the email) of the user the cluster is configured for. */
  username: string;
  /** The Hopsworks version, e.g. `4.2.1`: `hsfs` must match its major.minor. */
  hopsworksVersion: string;
  /** Where the Hive metastore runs; Hopsworks uses its own host. */
  metastoreHost?: string;
}

/** Shaped like `@pulumi/databricks` `ClusterArgs` fields, so they can be spread in. */
export interface HopsworksClusterSettings {
  sparkConf: Record<string, string>;
  customTags: Record<string, string>;
  /** Put these after your own init scripts: that is the order the configured cluster keeps. */
  initScripts: { dbfs: { destination: string } }[];
  libraries: { pypi: { package: string } }[];
}

/** Where Hopsworks keeps a project user's init script and key material on DBFS. */
const userDir = (a: { hopsworksHost: string; project: string; username: string }) => `/hopsworks/${a.hopsworksHost}/${a.project}__${a.username}`;

/** The Spark properties Hopsworks' DatabricksController merges into `spark_conf`. */
export function hopsworksSparkConf(args: Pick<HopsworksClusterSettingsArgs, "hopsworksHost" | "project" | "username" | "metastoreHost">): Record<string, string> {
  const projectUser = `${args.project}__${args.username}`;
  const dir = userDir(args);
  return {
    "spark.hadoop.fs.hopsfs.impl": "io.hops.hopsfs.client.HopsFileSystem",
    "spark.hadoop.hops.ipc.server.ssl.enabled": "true",
    "spark.hadoop.hops.ssl.hostname.verifier": "ALLOW_ALL",
    "spark.hadoop.hops.rpc.socket.factory.class.default": "io.hops.hadoop.shaded.org.apache.hadoop.net.HopsSSLSocketFactory",
    "spark.hadoop.client.rpc.ssl.enabled.protocol": "TLSv1.2",
    "spark.hadoop.hops.ssl.keystores.passwd.name": `/dbfs${dir}/${projectUser}__cert.key`,
    "spark.hadoop.hops.ssl.keystore.name": `/dbfs${dir}/${projectUser}__kstore.jks`,
    "spark.hadoop.hops.ssl.trustore.name": `/dbfs${dir}/${projectUser}__tstore.jks`,
    "spark.serializer": "org.apache.spark.serializer.KryoSerializer",
    "spark.sql.hive.metastore.jars": "/hopsworks_metastore_jar/lib/*",
    "spark.hadoop.hive.metastore.uris": `thrift://${args.metastoreHost ?? args.hopsworksHost}:9083`,
  };
}

/** The settings for plain values (tests, and anyone not inside a Pulumi program). */
export function clusterSettingsOf(args: HopsworksClusterSettingsArgs): HopsworksClusterSettings {
  const [major, minor] = args.hopsworksVersion.split(".");
  if (!major || !minor || !/^\d+$/.test(major) || !/^\d+$/.test(minor)) {
    throw new Error(`hopsworksVersion: "${args.hopsworksVersion}" is not a version like 4.2.1`);
  }
  return {
    sparkConf: hopsworksSparkConf(args),
    customTags: { [TAG_PROJECT_ID]: String(args.projectId), [TAG_USER]: args.username },
    initScripts: [{ dbfs: { destination: `dbfs:${userDir(args)}/initScript.sh` } }],
    libraries: [{ pypi: { package: `hsfs~=${major}.${minor}.0` } }],
  };
}

/**
 * The Spark properties, tags, init script and library Hopsworks will put on a cluster, for the
 * program that declares the cluster. Spread them into the cluster's own settings:
 *
 * ```ts
 * const hopsworks = hopsworksClusterSettings({ hopsworksHost, project, projectId: instance.projectId, username: "mlengineer", hopsworksVersion: "4.2.1" });
 * new databricks.Cluster("training", {
 *   sparkConf: hopsworks.sparkConf.apply((conf) => ({ "spark.speculation": "true", ...conf })),
 *   initScripts: hopsworks.initScripts.apply((scripts) => [...myScripts, ...scripts]),
 *   ...
 * });
 * ```
 */
export function hopsworksClusterSettings(args: {
  [K in keyof HopsworksClusterSettingsArgs]: pulumi.Input<HopsworksClusterSettingsArgs[K]>;
}): pulumi.Output<HopsworksClusterSettings> {
  return pulumi.output(args).apply((plain) => clusterSettingsOf(plain as HopsworksClusterSettingsArgs));
}
