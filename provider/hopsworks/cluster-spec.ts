import type { ClusterInfo, LibraryStatus } from "../databricks/client";
import { TAG_PROJECT_ID, TAG_USER, hopsworksSparkConf } from "./cluster-settings";

export { TAG_PROJECT_ID, TAG_USER };

/**
 * What Hopsworks' "Configure" writes into a cluster, and the pure bookkeeping around it: what
 * the user owned before, what Hopsworks dropped, what to put back, what drifted.
 */

/** The Spark properties Hopsworks merges into `spark_conf` (their values depend on host, project and user). */
export const HOPSWORKS_SPARK_KEYS: readonly string[] = Object.keys(hopsworksSparkConf({ hopsworksHost: "-", project: "-", username: "-" }));

export const HOPSWORKS_TAGS: readonly string[] = [TAG_PROJECT_ID, TAG_USER];

/** Fields only Databricks sets: never sent back in an edit, never compared. */
const DATABRICKS_OWNED_FIELDS = new Set([
  "state",
  "state_message",
  "default_tags",
  "creator_user_name",
  "start_time",
  "terminated_time",
  "termination_reason",
  "cluster_source",
  "last_restarted_time",
  "last_state_loss_time",
  "last_activity_time",
  "spark_context_id",
  "jdbc_port",
  "driver",
  "executors",
  "cluster_memory_mb",
  "cluster_cores",
  "cluster_log_status",
  "spec",
  "disk_spec",
  "effective_spark_version",
]);

/** Spec fields whose handling is special: merged key by key, or replaced as a list. */
const MERGED_FIELDS = new Set(["cluster_id", "spark_conf", "custom_tags", "init_scripts"]);

export type ClusterSpec = Record<string, unknown> & {
  cluster_id: string;
  spark_conf?: Record<string, string>;
  custom_tags?: Record<string, string>;
  init_scripts?: InitScript[];
};
export type InitScript = Record<string, unknown>;

/** What a configuration put on the cluster, recorded so that drift and delete know what is ours. */
export interface AppliedConfiguration {
  /** Spark properties Hopsworks set, with their values. */
  sparkConf: Record<string, string>;
  /** Custom tags Hopsworks set. */
  tags: Record<string, string>;
  /** Init scripts Hopsworks added (normally one, on DBFS). */
  initScripts: InitScript[];
  /** The `hsfs` requirement Hopsworks installed, e.g. `hsfs~=4.2.0`. */
  hsfsRequirement?: string;
  /** The user already had an `hsfs` library before: leave it on delete. */
  hsfsPreinstalled?: boolean;
  /**
   * Every library the configuration installed and keeps (Hopsworks' jars and PyPI packages, or
   * the `clientLibrary` in place of a client PyPI cannot provide). Absent in state written before
   * it was recorded: then only `hsfsRequirement` is ours.
   */
  libraries?: Record<string, unknown>[];
  /** Libraries Hopsworks asked for that were removed again (an `hsfs~=X.Y.0` that does not exist): delete makes sure they are gone. */
  replacedLibraries?: Record<string, unknown>[];
  /** The libraries the cluster had before its first configuration: never removed. */
  userLibraries?: Record<string, unknown>[];
}

/** JSON with sorted keys: two values compare equal exactly when they mean the same. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** The cluster's spec as an edit would take it: everything but the fields Databricks owns. */
export function editableSpec(live: ClusterInfo): ClusterSpec {
  const spec: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(live)) if (!DATABRICKS_OWNED_FIELDS.has(field) && value !== undefined) spec[field] = value;
  return spec as ClusterSpec;
}

export const initScriptDestination = (script: InitScript): string | undefined => {
  const location = Object.values(script)[0] as { destination?: unknown } | undefined;
  return typeof location?.destination === "string" ? location.destination : undefined;
};

/** Hopsworks keeps everything it uploads under `/hopsworks/` on DBFS; it writes `dbfs:///hopsworks/…`, Databricks may show `dbfs:/hopsworks/…`. */
export const isHopsworksInitScript = (script: InitScript): boolean => /^dbfs:\/+hopsworks\//.test(initScriptDestination(script) ?? "");

/** Whether Hopsworks has configured the cluster (its tags are there). */
export const isConfigured = (spec: ClusterSpec) => HOPSWORKS_TAGS.some((t) => spec.custom_tags?.[t] !== undefined);

/**
 * The part of a live spec the user owns: the spec without what Hopsworks put there. With the
 * record of an earlier configuration, overwritten values go back to what the user had; a
 * cluster configured by someone else is cleaned by the known keys and tags.
 */
export function userOwnedSpec(live: ClusterSpec, previous?: { applied: AppliedConfiguration; original: ClusterSpec }): ClusterSpec {
  if (!previous && !isConfigured(live)) return structuredClone(live);
  const spec = structuredClone(live);
  const sparkKeys = new Set([...HOPSWORKS_SPARK_KEYS, ...Object.keys(previous?.applied.sparkConf ?? {})]);
  const tagKeys = new Set([...HOPSWORKS_TAGS, ...Object.keys(previous?.applied.tags ?? {})]);
  spec.spark_conf = restoreKeys(spec.spark_conf, sparkKeys, previous?.original.spark_conf);
  spec.custom_tags = restoreKeys(spec.custom_tags, tagKeys, previous?.original.custom_tags);
  spec.init_scripts = (spec.init_scripts ?? []).filter((s) => !isHopsworksInitScript(s));
  return tidy(spec);
}

/** `map` with `keys` set back to their `original` values, or removed where the original had none. */
function restoreKeys(map: Record<string, string> | undefined, keys: Set<string>, original: Record<string, string> | undefined) {
  const out = { ...(map ?? {}) };
  for (const key of keys) {
    if (original?.[key] !== undefined) out[key] = original[key]!;
    else delete out[key];
  }
  return out;
}

/** Empty maps and lists are left out, as Databricks leaves them out of `clusters/get`. */
function tidy(spec: ClusterSpec): ClusterSpec {
  if (spec.spark_conf && Object.keys(spec.spark_conf).length === 0) delete spec.spark_conf;
  if (spec.custom_tags && Object.keys(spec.custom_tags).length === 0) delete spec.custom_tags;
  if (spec.init_scripts && spec.init_scripts.length === 0) delete spec.init_scripts;
  return spec;
}

const isHsfs = (library: Record<string, unknown>): string | undefined => {
  const pkg = (library.pypi as { package?: unknown } | undefined)?.package;
  return typeof pkg === "string" && /^hsfs(\[[^\]]*\])?\s*([~=<>!]|$)/.test(pkg) ? pkg : undefined;
};

/** The `hsfs` requirement on the cluster that is (or will be) installed, if any. */
export function liveHsfs(statuses: LibraryStatus[]): { requirement: string; status: string } | undefined {
  for (const s of statuses) {
    const requirement = isHsfs(s.library);
    if (requirement && s.status !== "UNINSTALL_ON_RESTART" && s.status !== "FAILED") return { requirement, status: s.status };
  }
  return undefined;
}

/** What Hopsworks' edit put on the cluster, worked out by comparing the spec before and after. */
export function appliedBy(before: ClusterSpec, after: ClusterSpec, libraries: { before: LibraryStatus[]; after: LibraryStatus[] }): AppliedConfiguration {
  const sparkConf: Record<string, string> = {};
  for (const [key, value] of Object.entries(after.spark_conf ?? {})) {
    if (HOPSWORKS_SPARK_KEYS.includes(key) || before.spark_conf?.[key] !== value) sparkConf[key] = value;
  }
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(after.custom_tags ?? {})) {
    if (HOPSWORKS_TAGS.includes(key) || before.custom_tags?.[key] !== value) tags[key] = value;
  }
  const hsfsBefore = liveHsfs(libraries.before);
  return {
    sparkConf,
    tags,
    initScripts: (after.init_scripts ?? []).filter(isHopsworksInitScript),
    hsfsRequirement: liveHsfs(libraries.after)?.requirement,
    hsfsPreinstalled: hsfsBefore !== undefined,
  };
}

/** User-owned fields Hopsworks' lossy edit dropped or changed, and the spec that puts them back. */
export function restorePlan(original: ClusterSpec, configured: ClusterSpec): { spec: ClusterSpec; restored: string[] } {
  const spec = structuredClone(configured);
  const restored: string[] = [];
  for (const [field, value] of Object.entries(original)) {
    if (MERGED_FIELDS.has(field)) continue;
    if (!same(configured[field], value)) {
      spec[field] = structuredClone(value);
      restored.push(field);
    }
  }
  // Fields the user never had but that appeared (other than Databricks' own defaults) stay: they
  // are not the user's to remove. Init scripts: the user's own go back in front of Hopsworks'.
  const userScripts = (original.init_scripts ?? []).filter((s) => !isHopsworksInitScript(s));
  const missing = userScripts.filter((s) => !(configured.init_scripts ?? []).some((c) => same(c, s)));
  if (missing.length > 0) {
    spec.init_scripts = [...userScripts, ...(configured.init_scripts ?? []).filter((c) => !userScripts.some((s) => same(c, s)))];
    restored.push(`init_scripts (${missing.map((s) => initScriptDestination(s) ?? "?").join(", ")})`);
  }
  for (const key of Object.keys(original.spark_conf ?? {})) {
    if (configured.spark_conf?.[key] === undefined) {
      spec.spark_conf = { ...(spec.spark_conf ?? {}), [key]: original.spark_conf![key]! };
      restored.push(`spark_conf.${key}`);
    }
  }
  for (const key of Object.keys(original.custom_tags ?? {})) {
    if (configured.custom_tags?.[key] === undefined) {
      spec.custom_tags = { ...(spec.custom_tags ?? {}), [key]: original.custom_tags![key]! };
      restored.push(`custom_tags.${key}`);
    }
  }
  return { spec, restored };
}

/**
 * The live spec with the configuration taken out: Hopsworks' Spark keys and tags removed (or set
 * back to the user's earlier values), its init scripts removed, and the user's own kept.
 */
export function unconfiguredSpec(live: ClusterSpec, applied: AppliedConfiguration, original: ClusterSpec): ClusterSpec {
  const spec = userOwnedSpec(live, { applied, original });
  const userScripts = (original.init_scripts ?? []).filter((s) => !isHopsworksInitScript(s));
  const kept = spec.init_scripts ?? [];
  const missing = userScripts.filter((s) => !kept.some((k) => same(k, s)));
  if (missing.length) spec.init_scripts = [...userScripts, ...kept.filter((k) => !userScripts.some((s) => same(k, s)))];
  return tidy(spec);
}

/** How the live cluster differs from the recorded configuration: one line per problem, none when in sync. */
export function driftOf(live: ClusterSpec, statuses: LibraryStatus[], applied: AppliedConfiguration): string[] {
  const drift: string[] = [];
  for (const [key, value] of Object.entries(applied.sparkConf)) {
    const now = live.spark_conf?.[key];
    if (now === undefined) drift.push(`spark_conf ${key} was removed`);
    else if (now !== value) drift.push(`spark_conf ${key} is "${now}", expected "${value}"`);
  }
  for (const [key, value] of Object.entries(applied.tags)) {
    const now = live.custom_tags?.[key];
    if (now === undefined) drift.push(`custom_tags ${key} was removed`);
    else if (now !== value) drift.push(`custom_tags ${key} is "${now}", expected "${value}"`);
  }
  for (const script of applied.initScripts) {
    if (!(live.init_scripts ?? []).some((s) => same(s, script))) drift.push(`init script ${initScriptDestination(script) ?? canonical(script)} was removed`);
  }
  if (applied.hsfsRequirement && liveHsfs(statuses)?.requirement !== applied.hsfsRequirement) {
    drift.push(`library ${applied.hsfsRequirement} was uninstalled`);
  }
  return drift;
}
