import { randomBytes } from "crypto";
import type { WorkspaceRuntime } from "./workspace";
import { invalidParameter } from "./errors";
import { settleCluster } from "./clusters-lifecycle";

/** Every state the Clusters API reports (ERROR and UNKNOWN are never entered by the sandbox). */
export const CLUSTER_STATES = ["PENDING", "RUNNING", "RESTARTING", "RESIZING", "TERMINATING", "TERMINATED", "ERROR", "UNKNOWN"] as const;
export type ClusterState = (typeof CLUSTER_STATES)[number];

export const CLUSTER_PERMISSION_LEVELS = ["CAN_ATTACH_TO", "CAN_RESTART", "CAN_MANAGE"] as const;
export type ClusterPermissionLevel = (typeof CLUSTER_PERMISSION_LEVELS)[number];

export type PrincipalKind = "user_name" | "group_name" | "service_principal_name";

/** One direct grant on a cluster; the admins group's implicit CAN_MANAGE is never stored. */
export interface ClusterAclEntry {
  kind: PrincipalKind;
  name: string;
  level: ClusterPermissionLevel;
}

export interface TerminationReason {
  code: string;
  type: string;
  parameters?: Record<string, string>;
}

/** A cluster event as `clusters/events` returns it, plus a sequence number to order equal timestamps. */
export interface StoredClusterEvent {
  seq: number;
  timestamp: number;
  type: string;
  details: Record<string, unknown>;
}

/** The one transition a cluster is waiting for (every sandbox state has at most one). */
export interface ScheduledTransition {
  to: ClusterState;
  dueAt: number;
}

/**
 * Where a cluster is in its state machine. Plain data with absolute due times: the current
 * state is worked out from the clock on every access, so nothing runs in the background and a
 * restarted sandbox finishes transitions it was in the middle of.
 */
export interface ClusterLifecycle {
  state: ClusterState;
  stateSince: number;
  stateMessage: string;
  next: ScheduledTransition | null;
  /** When the current (or last) Spark run began launching: create, start, restart or edit. */
  lastLaunchAt: number | null;
  /** How many runs have been launched; libraries marked for uninstall go at the next one. */
  launches: number;
  /** When the current run's driver became usable; null whenever the cluster is not up. */
  upSince: number | null;
  terminatedTime: number | null;
  terminationReason: TerminationReason | null;
}

export type ClusterSpec = Record<string, unknown>;

export interface ClusterRecord {
  clusterId: string;
  creatorUserName: string;
  clusterSource: string;
  /** Creation time; the API's `start_time`. */
  createdAt: number;
  /** The spec as last accepted by create/edit/resize, server defaults included. */
  spec: ClusterSpec;
  /** The spec as the client last submitted it (`spec` on get); absent in older state: `spec` stands in. */
  submitted?: ClusterSpec;
  /** Pinned clusters stay in the list after 30 days terminated. */
  pinned?: boolean;
  lifecycle: ClusterLifecycle;
  acl: ClusterAclEntry[];
  /** Oldest first. */
  events: StoredClusterEvent[];
}

export interface ClustersState {
  clusters: ClusterRecord[];
}

export const CLUSTERS_AREA = "clusters";

export const clustersState = (ws: WorkspaceRuntime): ClustersState => ws.slice<ClustersState>(CLUSTERS_AREA);

/** The real service words states like this in its messages: `Running`, `Terminated`. */
export const stateWord = (state: ClusterState): string => state.charAt(0) + state.slice(1).toLowerCase();

/** The error every Clusters and Libraries call gives for an id it does not know. */
export const clusterDoesNotExist = (clusterId: string) => invalidParameter(`Cluster ${clusterId} does not exist`);

export function findClusterRecord(ws: WorkspaceRuntime, clusterId: string): ClusterRecord | undefined {
  return clustersState(ws).clusters.find((c) => c.clusterId === clusterId);
}

/**
 * The cluster with its state brought up to date (transitions that fell due are applied and
 * saved), or the Clusters API's 400 for an unknown id.
 */
export function loadCluster(ws: WorkspaceRuntime, clusterId: string): ClusterRecord {
  const rec = findClusterRecord(ws, clusterId);
  if (!rec) throw clusterDoesNotExist(clusterId);
  if (settleCluster(ws, rec)) ws.save();
  return rec;
}

/** Ids look like the real ones: `MMDD-HHMMSS-` and eight lowercase letters or digits. */
export function newClusterId(now: number, isTaken: (id: string) => boolean): string {
  const d = new Date(now);
  const two = (n: number) => String(n).padStart(2, "0");
  const date = `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}`;
  const time = `${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (;;) {
    const suffix = Array.from(randomBytes(8), (b) => alphabet[b % alphabet.length]).join("");
    const id = `${date}-${time}-${suffix}`;
    if (!isTaken(id)) return id;
  }
}
