import type { ScaledClock } from "../common/clock";
import type { ClusterLifecycle } from "./clusters-state";

/** A library spec as the API carries it: exactly one of jar, egg, whl, requirements, pypi, maven, cran. */
export type Library = Record<string, unknown>;

export interface LibraryEntry {
  library: Library;
  /** Canonical JSON of `library`: two requests for the same library are one entry. */
  key: string;
  requestedAt: number;
  /** The cluster's launch count when uninstall was asked for; null when the library stays. */
  uninstallRequestedInLaunch: number | null;
  /**
   * Why the install fails (worked out when it was requested: nothing on PyPI satisfies the
   * requirement, or the jar's DBFS path does not exist); absent when it installs.
   */
  failure?: string;
}

export type LibraryStatus = "PENDING" | "RESOLVING" | "INSTALLING" | "INSTALLED" | "FAILED" | "UNINSTALL_ON_RESTART";

/**
 * Real-world time each install stage takes on a running cluster (scaled by the clock). A PyPI
 * install takes seconds to a minute for real; these keep the stages visible but short.
 */
export const INSTALL_STAGE_REAL_MS: ReadonlyArray<[LibraryStatus, number]> = [
  ["PENDING", 2_000],
  ["RESOLVING", 5_000],
  ["INSTALLING", 10_000],
];

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` name the same library. */
export function canonicalKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalKey).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalKey(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Whether the library is gone: marked for uninstall and the cluster has launched a new run since. */
export const isRemoved = (entry: LibraryEntry, lc: ClusterLifecycle): boolean =>
  entry.uninstallRequestedInLaunch !== null && lc.launches > entry.uninstallRequestedInLaunch;

/**
 * A library's status, worked out from the cluster's (settled) lifecycle and the clock. Libraries
 * install only on a running driver: on a cluster that is not up every library is PENDING (the
 * real service reports them so, and installs them when the cluster next starts), and each new
 * run installs them all again from PENDING.
 */
export function libraryStatus(entry: LibraryEntry, lc: ClusterLifecycle, clock: ScaledClock, now = clock.now()): LibraryStatus {
  if (entry.uninstallRequestedInLaunch !== null) return "UNINSTALL_ON_RESTART";
  if (lc.upSince === null) return "PENDING";
  let elapsed = now - Math.max(entry.requestedAt, lc.upSince);
  for (const [stage, realMs] of INSTALL_STAGE_REAL_MS) {
    // A library that cannot be had fails once resolving is over.
    if (stage === "INSTALLING" && entry.failure !== undefined) return "FAILED";
    const stageMs = clock.duration(realMs);
    if (elapsed < stageMs) return stage;
    elapsed -= stageMs;
  }
  return "INSTALLED";
}

/** `messages` of a FAILED status, worded as Databricks reports a driver install failure. */
export function failureMessages(entry: LibraryEntry, clusterId: string): string[] {
  if (entry.failure === undefined) return [];
  const kind = Object.keys(entry.library)[0] ?? "library";
  const what =
    kind === "pypi" ? `pypi {\n  package: "${(entry.library.pypi as { package?: string }).package}"\n}` : `${kind}: "${String(entry.library[kind])}"`;
  return [
    `Library installation failed for library due to user error for ${what}\n. Error messages:\n` +
      `Library installation attempted on the driver node of cluster ${clusterId} and failed. Please refer to the following error message to fix the library or contact Databricks support. ` +
      `Error Code: DRIVER_LIBRARY_INSTALLATION_FAILURE. Error Message: ${entry.failure}`,
  ];
}
