/**
 * What a Hopsworks release's "Configure" puts on a cluster, by release family (read from
 * DatabricksController on branch `build_manifest` of logicalclocks/hopsworks):
 *
 * - A (2.0–2.2): init script `<pu>/initScript.sh`, metastore keys, PyPI `hops~=X.Y.0.0` and `hsfs~=X.Y.0`; no Kryo.
 * - B (2.3–3.6): client files uploaded one by one, a Hive-only init script, metastore keys, Kryo,
 *   `hsfs~=X.Y.0` plus one jar library per uploaded jar.
 * - C (3.7+): jars only, no init script, no metastore keys, Kryo, `hsfs~=X.Y.0` plus the jars.
 *   4.x and later are closed source; they are taken to behave like 3.7 (unconfirmed).
 *
 * And which Python client can actually be installed: `hsfs~=X.Y.0` exists on PyPI only for some
 * minors (none from 3.8), so the resource installs `clientLibrary` instead where it cannot.
 */
export type ReleaseFamily = "A" | "B" | "C";

export function parseHopsworksVersion(version: string): { major: number; minor: number } | undefined {
  const m = /^\s*v?(\d+)\.(\d+)(?:\.\d+)?/.exec(version);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

export function releaseFamily(version: string): ReleaseFamily {
  const v = parseHopsworksVersion(version);
  if (!v) throw new Error(`"${version}" is not a Hopsworks version like 4.2.1`);
  if (v.major < 2 || (v.major === 2 && v.minor <= 2)) return "A";
  if (v.major < 3 || (v.major === 3 && v.minor <= 6)) return "B";
  return "C";
}

/** Whether the family writes an init script and sets the Hive metastore keys. */
export const setsMetastore = (family: ReleaseFamily) => family !== "C";

/** The Spark properties every family sets; Kryo from B; the metastore pair in A and B. */
export function familySparkKeys(family: ReleaseFamily): string[] {
  return [
    "spark.hadoop.fs.hopsfs.impl",
    "spark.hadoop.hops.ipc.server.ssl.enabled",
    "spark.hadoop.hops.ssl.hostname.verifier",
    "spark.hadoop.hops.rpc.socket.factory.class.default",
    "spark.hadoop.client.rpc.ssl.enabled.protocol",
    "spark.hadoop.hops.ssl.keystores.passwd.name",
    "spark.hadoop.hops.ssl.keystore.name",
    "spark.hadoop.hops.ssl.trustore.name",
    ...(family !== "A" ? ["spark.serializer"] : []),
    ...(setsMetastore(family) ? ["spark.sql.hive.metastore.jars", "spark.hadoop.hive.metastore.uris"] : []),
  ];
}

/** Every Spark key some family sets: what cleaning a cluster configured by someone else removes. */
export const ALL_HOPSWORKS_SPARK_KEYS: readonly string[] = familySparkKeys("A")
  .concat("spark.serializer", "spark.sql.hive.metastore.jars", "spark.hadoop.hive.metastore.uris")
  .filter((k, i, all) => all.indexOf(k) === i);

/** What Hopsworks asks PyPI for: `hsfs~=X.Y.0` (and `hops~=X.Y.0.0` in A). */
export function hopsworksPypiRequirements(version: string): string[] {
  const v = parseHopsworksVersion(version)!;
  const hsfs = `hsfs~=${v.major}.${v.minor}.0`;
  return releaseFamily(version) === "A" ? [`hops~=${v.major}.${v.minor}.0.0`, hsfs] : [hsfs];
}

/**
 * The minors with final releases on PyPI (checked with `pip index versions`, 2026-12): hsfs has
 * 2.0–2.5, 3.4 and 3.7 (3.8/3.9 only as release candidates, none from 4.0); hopsworks 3.0–3.2,
 * 3.4, 3.7, 4.0–4.4, 4.6–4.8, 5.0–5.2.
 */
const PYPI_MINORS: Record<"hsfs" | "hopsworks", string[]> = {
  hsfs: ["2.0", "2.1", "2.2", "2.3", "2.4", "2.5", "3.4", "3.7"],
  hopsworks: ["3.0", "3.1", "3.2", "3.4", "3.7", "4.0", "4.1", "4.2", "4.3", "4.4", "4.6", "4.7", "4.8", "5.0", "5.1", "5.2"],
};
const minorKey = (v: { major: number; minor: number }) => v.major * 1000 + v.minor;

/** The newest minor of `pkg` on PyPI that is not newer than the backend's. */
function nearestMinor(pkg: "hsfs" | "hopsworks", v: { major: number; minor: number }): string | undefined {
  return PYPI_MINORS[pkg]
    .map((m) => ({ m, key: minorKey(parseHopsworksVersion(m)!) }))
    .filter((x) => x.key <= minorKey(v))
    .sort((a, b) => b.key - a.key)[0]?.m;
}

/** Whether PyPI has a final release satisfying `hsfs~=X.Y.0` for this backend. */
export function hsfsExistsFor(version: string): boolean {
  const v = parseHopsworksVersion(version)!;
  return PYPI_MINORS.hsfs.includes(`${v.major}.${v.minor}`);
}

/**
 * The default `clientLibrary`: Hopsworks' own `hsfs~=X.Y.0` where PyPI has it; below 4.0 the
 * nearest older `hsfs` minor that exists (3.5/3.6 → `hsfs~=3.4.0`, 3.8/3.9 → `hsfs~=3.7.0`); from
 * 4.0 `hopsworks[python]~=X.Y.0` (or its nearest older minor, e.g. 4.5 → 4.4).
 */
export function defaultClientLibrary(version: string): string {
  const v = parseHopsworksVersion(version)!;
  if (hsfsExistsFor(version)) return `hsfs~=${v.major}.${v.minor}.0`;
  if (v.major < 4) return `hsfs~=${nearestMinor("hsfs", v) ?? "3.7"}.0`;
  return `hopsworks[python]~=${nearestMinor("hopsworks", v) ?? `${v.major}.${v.minor}`}.0`;
}

/** Which Python API a requirement installs: `hsfs.connection` or `hopsworks.login`. */
export function clientOf(requirement: string): { package: "hsfs" | "hopsworks"; major: number; minor: number } {
  const m = /^\s*(hsfs|hopsworks)\s*(?:\[[^\]]*\])?\s*(?:[~=<>!]=?\s*v?(\d+)\.(\d+))?/i.exec(requirement);
  if (!m) return { package: "hsfs", major: 0, minor: 0 };
  return { package: m[1]!.toLowerCase() as "hsfs" | "hopsworks", major: Number(m[2] ?? 0), minor: Number(m[3] ?? 0) };
}

/** A requirement string naming the Python client (`hsfs…` or `hopsworks…`). */
export const CLIENT_REQUIREMENT = /^\s*(hsfs|hopsworks)\s*(\[[^\]]*\])?\s*([~=<>!]=?\s*\d[\w.*]*\s*(,\s*[~=<>!]=?\s*\d[\w.*]*\s*)*)?$/i;
