import { createHash } from "crypto";

/**
 * What "Configure cluster" does differs by Hopsworks release. Three families, read from
 * DatabricksController on `logicalclocks/hopsworks` branch `build_manifest` (see
 * ../shared/reference/hopsworks-api.md):
 *
 * - A, 2.0–2.2 (cf944799b, c248ddf56, 590c0e6f7): one `clients.tar.gz`, an init script that
 *   unpacks it, metastore keys, `hops~=X.Y.0.0` and `hsfs~=X.Y.0` from PyPI; no Kryo.
 * - B, 2.3–3.6 (c2bd6443c, Kryo from 7116a721f, order of 7e7a365d4): every client file uploaded
 *   on its own (`overwrite:false`), an init script that only unpacks Hive, metastore keys,
 *   `hsfs~=X.Y.0` plus every uploaded jar as a library (Hive's tarball is not one).
 * - C, 3.7 and later (b56b0626a, the branch head): jars only (no Hive, no Hudi), no init script,
 *   no metastore keys, the cluster's own init scripts left alone; `hsfs~=X.Y.0` plus the jars.
 *   4.x and later are closed source: the sandbox assumes they still behave like 3.7 and still
 *   ask for `hsfs~=<major>.<minor>.0` (unconfirmed).
 */
export type ReleaseFamily = "A" | "B" | "C";

export function parseVersion(version: string): { major: number; minor: number } {
  const [major = "0", minor = "0"] = version.split(".");
  return { major: Number(major) || 0, minor: Number(minor) || 0 };
}

export function familyOf(version: string): ReleaseFamily {
  const { major, minor } = parseVersion(version);
  if (major < 2 || (major === 2 && minor <= 2)) return "A";
  if (major < 3 || (major === 3 && minor <= 6)) return "B";
  return "C";
}

/** `X.Y.0` of the Hopsworks version (getPyPiLibraryVersion). */
const pyPiVersion = (version: string) => {
  const { major, minor } = parseVersion(version);
  return `${major}.${minor}.0`;
};

/** `hsfs~=X.Y.0` for Hopsworks X.Y.Z: the client must match the cluster's minor version. */
export const hsfsRequirement = (version: string): string => `hsfs~=${pyPiVersion(version)}`;

/** A client file Hopsworks keeps in its `client` folder, and its (fake) size. */
export interface ClientFile {
  name: string;
  bytes: number;
}

/**
 * The `client` folder of a release (family B and C upload it file by file). Names are the
 * sandbox's (the folder's content is not in the source); the filters are the source's: names
 * containing `apache-hive` or `hudi` are skipped in C, `apache-hive` is never a library.
 */
export function clientFolder(version: string): ClientFile[] {
  const v = pyPiVersion(version);
  return [
    { name: `hops-hadoop-client-${v}.jar`, bytes: 1_300_000 },
    { name: `hsfs-spark-${v}.jar`, bytes: 300_000 },
    { name: `hudi-spark-bundle-0.10.0.${v}.jar`, bytes: 400_000 },
    { name: "apache-hive-3.0.0.10-bin.tar.gz", bytes: 1_100_000 },
  ];
}

const isHive = (name: string) => name.includes("apache-hive");
const isHudi = (name: string) => name.includes("hudi");

/** The files a configure uploads to `/hopsworks/<addr>/` (B: all, C: not Hive, not Hudi). */
export const uploadedFiles = (version: string): ClientFile[] =>
  familyOf(version) === "C" ? clientFolder(version).filter((f) => !isHive(f.name) && !isHudi(f.name)) : clientFolder(version);

/** `dbfs://` + an absolute path: three slashes, as DBFS_SCHEME builds it. */
export const dbfsUri = (absolutePath: string) => `dbfs://${absolutePath}`;

/** The libraries `libraries/install` asks for. */
export function librariesOf(version: string, addr: string): Record<string, unknown>[] {
  const family = familyOf(version);
  if (family === "A") {
    // "Hops has an additional digit at the end" (590c0e6f7).
    return [{ pypi: { package: `hops~=${pyPiVersion(version)}.0` } }, { pypi: { package: hsfsRequirement(version) } }];
  }
  const jars = uploadedFiles(version)
    .filter((f) => !isHive(f.name) && (family === "B" || !isHudi(f.name)))
    .map((f) => ({ jar: dbfsUri(`/hopsworks/${addr}/${f.name}`) }));
  return [{ pypi: { package: hsfsRequirement(version) } }, ...jars];
}

/**
 * The cluster fields Hopsworks' DbCluster models: configure reads the cluster into it and sends
 * it back whole, so every other field is dropped (and Databricks resets it).
 */
const KEPT_FIELDS = [
  "cluster_id",
  "cluster_name",
  "spark_version",
  "num_workers",
  "autoscale",
  "node_type_id",
  "driver_node_type_id",
  "spark_conf",
  "autotermination_minutes",
  "init_scripts",
  "custom_tags",
  "aws_attributes",
  "ssh_public_keys",
  "cluster_log_conf",
  "docker_image",
  "spark_env_vars",
  "enable_elastic_disk",
  "instance_pool_id",
];
const KEPT_FROM_37 = ["data_security_mode", "single_user_name", "runtime_engine"];

export const keptFields = (version: string): string[] => (familyOf(version) === "C" ? [...KEPT_FIELDS, ...KEPT_FROM_37] : KEPT_FIELDS);

/** Init-script kinds DbInitScriptInfo models; any other entry comes back as `{}`. */
export const keptInitScriptKinds = (version: string): string[] => (familyOf(version) === "C" ? ["dbfs", "workspace", "volumes", "file"] : ["dbfs"]);

/** Whether the edit sets the metastore keys and writes an init script (A and B). */
export const usesMetastore = (version: string) => familyOf(version) !== "C";

/**
 * `<addr>`: the internal (service-discovery) address of the application server, never the public
 * host. Unless the seed names one, a private IPv4 address derived from the host (chosen), so
 * that several sandbox instances sharing a workspace get distinct DBFS folders.
 */
export function internalAddressOf(host: string): string {
  const digest = createHash("sha256").update(host).digest();
  return `10.${digest[0]! % 250}.${digest[1]! % 250}.${1 + (digest[2]! % 250)}`;
}
