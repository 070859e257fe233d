import { HOPSWORKS_PROJECT_TAG } from "../hopsworks/clusters";
import type { Cluster } from "./services";

/**
 * What Hopsworks' "Configure" leaves on a Databricks cluster, as the sandbox's Hopsworks writes
 * it: the Spark keys (names only; values depend on host and project), the init script under
 * `dbfs:/hopsworks/`, the `hsfs` library and the project tag.
 */
// Every key some release family sets (A and B add the metastore keys, B and C Kryo).
export const HOPSWORKS_SPARK_KEYS: readonly string[] = [
  "spark.hadoop.fs.hopsfs.impl",
  "spark.hadoop.hops.ipc.server.ssl.enabled",
  "spark.hadoop.hops.ssl.hostname.verifier",
  "spark.hadoop.hops.rpc.socket.factory.class.default",
  "spark.hadoop.client.rpc.ssl.enabled.protocol",
  "spark.hadoop.hops.ssl.keystores.passwd.name",
  "spark.hadoop.hops.ssl.keystore.name",
  "spark.hadoop.hops.ssl.trustore.name",
  "spark.serializer",
  "spark.sql.hive.metastore.jars",
  "spark.hadoop.hive.metastore.uris",
];
export const HOSTNAME_VERIFIER_KEY = "spark.hadoop.hops.ssl.hostname.verifier";

export const sparkConfOf = (cluster: Cluster): Record<string, string> => ({ ...(cluster.spark_conf ?? {}) });

export const hopsworksKeysIn = (cluster: Cluster): string[] => HOPSWORKS_SPARK_KEYS.filter((k) => k in sparkConfOf(cluster));

/**
 * How many keys the release that configured the cluster sets, as far as the cluster shows it
 * (chosen: the metastore keys mean 2.0–3.6, 11 with Kryo (2.3+) and 10 without; none, 3.7+ with 9).
 */
export const hopsworksKeysExpected = (cluster: Cluster): number => {
  const conf = sparkConfOf(cluster);
  if (!("spark.sql.hive.metastore.jars" in conf) && !("spark.hadoop.hive.metastore.uris" in conf)) return 9;
  return "spark.serializer" in conf ? 11 : 10;
};

/** An init script entry's location, whatever its kind (`{dbfs: {destination}}`, `{workspace: ...}`, ...). */
export const initScriptDestination = (script: Record<string, any>): string => {
  const kind = Object.keys(script)[0] ?? "?";
  const destination = (Object.values(script)[0] as { destination?: string } | undefined)?.destination ?? "?";
  return destination.startsWith(`${kind}:`) ? destination : `${kind}:${destination}`;
};

export const isHopsworksInitScript = (script: Record<string, any>): boolean =>
  typeof script.dbfs?.destination === "string" && /^dbfs:\/+hopsworks\//.test(script.dbfs.destination as string);

/** The Hopsworks Python client: `hsfs` (2.x–3.x) or `hopsworks` (4.x and later). */
export const isHopsworksClient = (library: Record<string, any>): boolean =>
  typeof library.pypi?.package === "string" && /^(hsfs|hopsworks)\b/.test(library.pypi.package);

/** A jar Hopsworks installed from its DBFS folder (2.3 and later). */
export const isHopsworksJar = (library: Record<string, any>): boolean => typeof library.jar === "string" && /^dbfs:\/+hopsworks\//.test(library.jar);

export const libraryName = (library: Record<string, any>): string => {
  const [kind, value] = Object.entries(library)[0] ?? ["?", "?"];
  return typeof value === "string" ? `${kind}:${value}` : `${kind}:${value?.package ?? value?.coordinates ?? JSON.stringify(value)}`;
};

export const hopsworksProjectOf = (cluster: Cluster): string | undefined => cluster.custom_tags?.[HOPSWORKS_PROJECT_TAG];
