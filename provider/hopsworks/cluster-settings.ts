import * as pulumi from "@pulumi/pulumi";
import {
  defaultClientLibrary,
  familySparkKeys,
  hopsworksPypiRequirements,
  parseHopsworksVersion,
  releaseFamily,
  setsMetastore,
  type ReleaseFamily,
} from "./release-family";

/** The custom tags that say which project and user a cluster is configured for. */
export const TAG_PROJECT_ID = "hopsworks_project_id";
export const TAG_USER = "hopsworks_user";

/**
 * The cluster tag that names the stack resource a cluster is configured by:
 * `pulumi_configured_by = <project>/<stack>/<resource name>`. It is where people look (the
 * cluster's Tags in the Databricks UI, `clusters/get`); `HopsworksConfiguredCluster` writes it with
 * its restoring update after Hopsworks' configure, refuses a cluster another stack's resource
 * claims, and removes it on delete with Hopsworks' own tags.
 */
export const CLAIM_TAG = "pulumi_configured_by";

/** The claim a resource writes: its Pulumi project, stack and name. */
export const claimOf = (project: string, stack: string, name: string) => `${project}/${stack}/${name}`;

/**
 * What Hopsworks' "Configure" writes into a cluster, computed ahead of time so that whoever owns
 * the cluster's spec (for example a `@pulumi/databricks` `Cluster`) can declare it. Then both
 * tools agree on one desired spec: Hopsworks' edit changes nothing the owner did not declare,
 * and the owner's own edits keep Hopsworks' settings instead of stripping them.
 *
 * The values follow Hopsworks' DatabricksController for the release family of
 * `hopsworksVersion` (release-family.ts): key material under `/hopsworks/<addr>/<project>__<user>/`
 * on DBFS, where `<addr>` is the *internal* address of Hopsworks' application server (not its
 * public host), the metastore keys and init script only before 3.7, `hsfs~=X.Y.0` (and `hops` in
 * 2.0–2.2), and from 2.3 one jar library per client jar. `HopsworksConfiguredCluster` reports any
 * key that differs from what Hopsworks actually set as drift, so a wrong prediction is seen.
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
  /** The Hopsworks version, e.g. `4.2.1`: its release family decides what Configure sets. */
  hopsworksVersion: string;
  /**
   * `<addr>` of Hopsworks' DBFS paths: the application server's internal (service-discovery)
   * address, as in `dbfs:/hopsworks/<addr>/…` after a first configure (`HopsworksConfiguredCluster.hopsworksAddress`).
   * Omitted: the public host, which is right only where the two are the same.
   */
  internalAddress?: string;
  /** Where the Hive metastore runs (`host:port` or host; 2.0–3.6 only); defaults to `<addr>:9083`. */
  metastoreHost?: string;
  /**
   * File names of the jars in Hopsworks' client folder (2.3+: each becomes a `jar` library from
   * `dbfs:/hopsworks/<addr>/<name>`). Release-specific and not derivable from the version: list
   * them as they appear on DBFS after a first configure. Omitted: no jar libraries are predicted.
   */
  clientJars?: string[];
  /**
   * The Python client the configured cluster ends with (`HopsworksConfiguredCluster.clientLibrary`);
   * default derived from the version, as the configured cluster derives it: Hopsworks' own
   * `hsfs~=X.Y.0` where PyPI has it, else the one that exists (e.g. `hopsworks[python]~=4.2.0`).
   */
  clientLibrary?: string;
  /**
   * The claim of the `HopsworksConfiguredCluster` that configures this cluster,
   * `<project>/<stack>/<resource name>`: it writes it to the cluster's `pulumi_configured_by` tag, so
   * a cluster's owner declares it too. `hopsworksClusterSettings` builds it from `configuredBy`.
   */
  claim?: string;
}

/** Shaped like `@pulumi/databricks` `ClusterArgs` fields, so they can be spread in. */
export interface HopsworksClusterSettings {
  sparkConf: Record<string, string>;
  customTags: Record<string, string>;
  /** Put these after your own init scripts (empty from 3.7: Hopsworks writes none). */
  initScripts: { dbfs: { destination: string } }[];
  libraries: ({ pypi: { package: string } } | { jar: string })[];
}

const addrOf = (a: { hopsworksHost: string; internalAddress?: string }) => a.internalAddress ?? a.hopsworksHost;
/** Where Hopsworks keeps a project user's init script and key material on DBFS. */
const userDir = (a: { hopsworksHost: string; internalAddress?: string; project: string; username: string }) =>
  `/hopsworks/${addrOf(a)}/${a.project}__${a.username}`;

type SparkArgs = Pick<HopsworksClusterSettingsArgs, "hopsworksHost" | "internalAddress" | "project" | "username" | "metastoreHost">;

/** The Spark properties Hopsworks' DatabricksController merges into `spark_conf` (all families' keys; see {@link clusterSettingsOf} for one release). */
export function hopsworksSparkConf(args: SparkArgs, family: ReleaseFamily = "B"): Record<string, string> {
  const projectUser = `${args.project}__${args.username}`;
  const dir = userDir(args);
  const metastore = args.metastoreHost ?? addrOf(args);
  const all: Record<string, string> = {
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
    "spark.hadoop.hive.metastore.uris": `thrift://${metastore.includes(":") ? metastore : `${metastore}:9083`}`,
  };
  const keys = new Set(familySparkKeys(family));
  return Object.fromEntries(Object.entries(all).filter(([k]) => keys.has(k)));
}

/** The settings for plain values (tests, and anyone not inside a Pulumi program). */
export function clusterSettingsOf(args: HopsworksClusterSettingsArgs): HopsworksClusterSettings {
  if (!parseHopsworksVersion(args.hopsworksVersion) || !/^\d+\.\d+(\.\d+)?$/.test(args.hopsworksVersion.trim())) {
    throw new Error(`hopsworksVersion: "${args.hopsworksVersion}" is not a version like 4.2.1`);
  }
  const family = releaseFamily(args.hopsworksVersion);
  const jars = family === "A" ? [] : (args.clientJars ?? []).filter((name) => name.endsWith(".jar") && !(family === "C" && name.includes("hudi")));
  return {
    sparkConf: hopsworksSparkConf(args, family),
    customTags: { [TAG_PROJECT_ID]: String(args.projectId), [TAG_USER]: args.username, ...(args.claim ? { [CLAIM_TAG]: args.claim } : {}) },
    initScripts: setsMetastore(family) ? [{ dbfs: { destination: `dbfs://${userDir(args)}/initScript.sh` } }] : [],
    // Hopsworks' PyPI requirements, its client replaced by the one the configured cluster keeps
    // (declaring an `hsfs~=X.Y.0` PyPI lacks would leave a FAILED library on the cluster).
    libraries: [
      ...hopsworksPypiRequirements(args.hopsworksVersion)
        .map((p) => (p.startsWith("hsfs") ? (args.clientLibrary ?? defaultClientLibrary(args.hopsworksVersion)) : p))
        .map((p) => ({ pypi: { package: p } })),
      ...jars.map((name) => ({ jar: `dbfs:///hopsworks/${addrOf(args)}/${name}` })),
    ],
  };
}

/**
 * The Spark properties, tags, init script and libraries Hopsworks will put on a cluster, for the
 * program that declares the cluster. Spread them into the cluster's own settings:
 *
 * ```ts
 * const hopsworks = hopsworksClusterSettings({ hopsworksHost, project, projectId: instance.projectId, username: "mlengineer", hopsworksVersion: "4.2.1", internalAddress: "10.0.0.4", configuredBy: "training" });
 * new databricks.Cluster("training", {
 *   sparkConf: hopsworks.sparkConf.apply((conf) => ({ "spark.speculation": "true", ...conf })),
 *   initScripts: hopsworks.initScripts.apply((scripts) => [...myScripts, ...scripts]),
 *   ...
 * });
 * ```
 */
export function hopsworksClusterSettings(
  args: { [K in keyof Omit<HopsworksClusterSettingsArgs, "claim">]: pulumi.Input<HopsworksClusterSettingsArgs[K]> } & {
    /** The name of the `HopsworksConfiguredCluster` (in this stack) that configures the cluster: its claim tag is declared too. */
    configuredBy?: pulumi.Input<string>;
  },
): pulumi.Output<HopsworksClusterSettings> {
  const project = pulumi.getProject();
  const stack = pulumi.getStack();
  return pulumi
    .output(args)
    .apply(({ configuredBy, ...plain }) =>
      clusterSettingsOf({ ...(plain as HopsworksClusterSettingsArgs), ...(configuredBy ? { claim: claimOf(project, stack, configuredBy) } : {}) }),
    );
}
