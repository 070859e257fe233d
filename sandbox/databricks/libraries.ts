import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { WorkspaceArea, WorkspaceRuntime } from "./workspace";
import { invalidParameter } from "./errors";
import { clustersState, loadCluster, type ClusterRecord } from "./clusters-state";
import { settleCluster } from "./clusters-lifecycle";
import { hasLevel, requireLevel } from "./permissions";
import { canonicalKey, failureMessages, isRemoved, libraryStatus, type Library, type LibraryEntry } from "./libraries-status";
import { normalizeDbfsPath } from "./dbfs-tree";
import type { DbfsState } from "./dbfs";
import { resolvePypi } from "./pypi-index";

export interface LibrariesState {
  /** cluster_id -> libraries in the order they were first requested. */
  byCluster: Record<string, LibraryEntry[]>;
}

const LIBRARIES_AREA = "libraries";

const pathString = z.string().min(1);
const librarySchema = z
  .object({
    jar: pathString.optional(),
    egg: pathString.optional(),
    whl: pathString.optional(),
    requirements: pathString.optional(),
    pypi: z.object({ package: z.string().min(1), repo: z.string().optional() }).optional(),
    maven: z.object({ coordinates: z.string().min(1), repo: z.string().optional(), exclusions: z.array(z.string()).optional() }).optional(),
    cran: z.object({ package: z.string().min(1), repo: z.string().optional() }).optional(),
  })
  .strict()
  .refine((lib) => Object.values(lib).filter((v) => v !== undefined).length === 1, {
    message: "A library must specify exactly one of jar, egg, whl, requirements, pypi, maven or cran",
  });

const libraryListBody = z.object({
  cluster_id: z.string({ error: "Missing required field: cluster_id" }).min(1, "Missing required field: cluster_id"),
  libraries: z.array(librarySchema, { error: "Missing required field: libraries" }),
});

function parseLibraryList(body: unknown): { clusterId: string; libraries: Library[] } {
  const parsed = libraryListBody.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 1 ? `${issue.path.join(".")}: ` : "";
    throw invalidParameter(`${where}${issue?.message ?? "Invalid request"}`);
  }
  return { clusterId: parsed.data.cluster_id, libraries: parsed.data.libraries as Library[] };
}

const librariesState = (ws: WorkspaceRuntime) => ws.slice<LibrariesState>(LIBRARIES_AREA);

/**
 * Whether the library can be had, decided when it is requested: a PyPI requirement against the
 * table of what PyPI has (pypi-index.ts), a jar on DBFS by whether the file exists. Others install.
 */
function failureOf(ws: WorkspaceRuntime, library: Library): { failure?: string } {
  const pypi = library.pypi as { package?: string } | undefined;
  if (pypi?.package) {
    const { error } = resolvePypi(pypi.package);
    return error
      ? {
          failure: `org.apache.spark.SparkException: Process List(/bin/su, libraries, -c, bash /local_disk0/.ephemeral_nfs/cluster_libraries/python/python_start_clusterwide.sh /local_disk0/.ephemeral_nfs/cluster_libraries/python/bin/pip install '${pypi.package}' --disable-pip-version-check) exited with code 1. ${error}`,
        }
      : {};
  }
  const jar = library.jar;
  if (typeof jar === "string" && (jar.startsWith("dbfs:") || (jar.startsWith("/") && !jar.startsWith("/Volumes/") && !jar.startsWith("/Workspace/")))) {
    let path: string;
    try {
      path = normalizeDbfsPath(jar);
    } catch {
      return { failure: `java.lang.IllegalArgumentException: ${jar}` };
    }
    const node = ws.slice<DbfsState>("dbfs").nodes[path];
    if (!node || node.isDir) return { failure: `java.io.FileNotFoundException: dbfs:${path} (No such file or directory)` };
  }
  return {};
}

/** Drops every library record of a cluster (used when the cluster is permanently deleted). */
export function forgetClusterLibraries(ws: WorkspaceRuntime, clusterId: string): void {
  delete librariesState(ws).byCluster[clusterId];
}

/** The cluster's live library entries, with those a restart has already removed pruned away. */
function liveEntries(ws: WorkspaceRuntime, rec: ClusterRecord): LibraryEntry[] {
  const byCluster = librariesState(ws).byCluster;
  const entries = byCluster[rec.clusterId] ?? [];
  const live = entries.filter((e) => !isRemoved(e, rec.lifecycle));
  if (live.length !== entries.length) {
    byCluster[rec.clusterId] = live;
    ws.save();
  }
  return live;
}

/**
 * `cluster-status` for one cluster. Like the real (proto3 JSON) service, an empty list is left
 * out rather than sent as `[]`; clients must treat a missing `library_statuses` as none.
 */
function clusterStatus(ws: WorkspaceRuntime, rec: ClusterRecord) {
  const now = ws.clock.now();
  const statuses = liveEntries(ws, rec).map((e) => {
    const status = libraryStatus(e, rec.lifecycle, ws.clock, now);
    return { library: e.library, status, ...(status === "FAILED" ? { messages: failureMessages(e, rec.clusterId) } : {}), is_library_for_all_clusters: false };
  });
  return statuses.length > 0 ? { cluster_id: rec.clusterId, library_statuses: statuses } : { cluster_id: rec.clusterId };
}

/**
 * The Libraries API. Installing or uninstalling needs CAN_MANAGE (the compute ACL table: "Attach
 * library to cluster" is a Can Manage ability); reading statuses needs CAN_ATTACH_TO. An unknown
 * cluster is the Clusters API's 400 INVALID_PARAMETER_VALUE "Cluster X does not exist", which the
 * Terraform provider and SDK special-case as not-found.
 */
export const librariesArea: WorkspaceArea<LibrariesState> = {
  name: LIBRARIES_AREA,
  init: () => ({ byCluster: {} }),
  routes(app: FastifyInstance, ws: WorkspaceRuntime) {
    app.post("/api/2.0/libraries/install", async (req) => {
      const { clusterId, libraries } = parseLibraryList(req.body);
      const rec = loadCluster(ws, clusterId);
      requireLevel(rec, ws.caller(req), "CAN_MANAGE");
      const entries = liveEntries(ws, rec);
      const now = ws.clock.now();
      for (const library of libraries) {
        const key = canonicalKey(library);
        const existing = entries.find((e) => e.key === key);
        // Installing what is already there (or on its way) is a no-op; re-installing a library
        // marked for uninstall keeps it.
        if (existing) existing.uninstallRequestedInLaunch = null;
        else entries.push({ library, key, requestedAt: now, uninstallRequestedInLaunch: null, ...failureOf(ws, library) });
      }
      librariesState(ws).byCluster[clusterId] = entries;
      ws.save();
      return {};
    });

    app.post("/api/2.0/libraries/uninstall", async (req) => {
      const { clusterId, libraries } = parseLibraryList(req.body);
      const rec = loadCluster(ws, clusterId);
      requireLevel(rec, ws.caller(req), "CAN_MANAGE");
      if (settleCluster(ws, rec)) ws.save();
      let entries = liveEntries(ws, rec);
      // Takes effect when the cluster next launches (restart, or terminate and start); asking
      // for a library the cluster does not have is a no-op. On a TERMINATED cluster no run holds
      // the library, so it goes at once (chosen: the next start would drop it anyway).
      const terminated = rec.lifecycle.state === "TERMINATED";
      for (const library of libraries) {
        const existing = entries.find((e) => e.key === canonicalKey(library));
        if (!existing) continue;
        if (terminated) entries = entries.filter((e) => e !== existing);
        else if (existing.uninstallRequestedInLaunch === null) existing.uninstallRequestedInLaunch = rec.lifecycle.launches;
      }
      librariesState(ws).byCluster[clusterId] = entries;
      ws.save();
      return {};
    });

    app.get("/api/2.0/libraries/cluster-status", async (req) => {
      const clusterId = (req.query as Record<string, unknown>).cluster_id;
      if (typeof clusterId !== "string" || clusterId === "") throw invalidParameter("Missing required field: cluster_id");
      const rec = loadCluster(ws, clusterId);
      requireLevel(rec, ws.caller(req), "CAN_ATTACH_TO");
      return clusterStatus(ws, rec);
    });

    // Lists the clusters the caller can see that have libraries (choice: clusters without any
    // library are left out rather than listed with an empty status list).
    app.get("/api/2.0/libraries/all-cluster-statuses", async (req) => {
      const caller = ws.caller(req);
      const byCluster = librariesState(ws).byCluster;
      const statuses = clustersState(ws)
        .clusters.filter((rec) => (byCluster[rec.clusterId]?.length ?? 0) > 0 && hasLevel(rec, caller, "CAN_ATTACH_TO"))
        .map((rec) => {
          if (settleCluster(ws, rec)) ws.save();
          return clusterStatus(ws, rec);
        })
        .filter((s) => "library_statuses" in s);
      return { statuses };
    });
  },
};
