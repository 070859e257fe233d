import type { WorkspaceRuntime } from "./workspace";
import type { ClusterLifecycle, ClusterRecord, ClusterSpec, ClusterState, TerminationReason } from "./clusters-state";

/**
 * Real-world durations of the cluster transitions (scaled by the workspace clock). Starting takes
 * minutes on the real service; resizing time is not documented anywhere, one minute is a guess.
 */
export const REAL_DURATION_MS = {
  PENDING: 4 * 60_000,
  RESTARTING: 3 * 60_000,
  RESIZING: 60_000,
  TERMINATING: 60_000,
} as const;

/**
 * `state_message` per state. The real service's wording varies and is not documented; these are
 * representative of what it shows (RUNNING and TERMINATED clusters often carry an empty message).
 */
const STATE_MESSAGES: Partial<Record<ClusterState, string>> = {
  PENDING: "Finding instances for new nodes, acquiring more instances if necessary",
  RESTARTING: "Restarting Spark",
  RESIZING: "Resizing cluster",
  TERMINATING: "Terminating cluster",
};

export const userRequestReason = (userName: string): TerminationReason => ({
  code: "USER_REQUEST",
  type: "SUCCESS",
  parameters: { username: userName },
});

export function recordEvent(ws: WorkspaceRuntime, rec: ClusterRecord, type: string, timestamp: number, details: Record<string, unknown> = {}): void {
  rec.events.push({ seq: ws.newId(), timestamp, type, details });
}

/** Worker count events report: the fixed size, or the autoscale floor a cluster starts at. */
export function workerCount(spec: ClusterSpec): number {
  const autoscale = spec.autoscale as { min_workers?: number } | undefined;
  if (autoscale && typeof autoscale.min_workers === "number") return autoscale.min_workers;
  return typeof spec.num_workers === "number" ? spec.num_workers : 0;
}

function enter(lc: ClusterLifecycle, state: ClusterState, at: number, message = STATE_MESSAGES[state] ?? ""): void {
  lc.state = state;
  lc.stateSince = at;
  lc.stateMessage = message;
}

/**
 * Applies every transition that has fallen due by `now`, stamping events with the time the
 * transition happened (not the time someone looked). Returns whether anything changed.
 */
export function settleCluster(ws: WorkspaceRuntime, rec: ClusterRecord, now = ws.clock.now()): boolean {
  const lc = rec.lifecycle;
  let changed = false;
  while (lc.next && lc.next.dueAt <= now) {
    const { to, dueAt } = lc.next;
    lc.next = null;
    const from = lc.state;
    enter(lc, to, dueAt);
    if (to === "RUNNING") {
      // A resize keeps the driver (and its libraries) up; a launch brings up a fresh one.
      if (from !== "RESIZING") {
        lc.upSince = dueAt;
        const workers = workerCount(rec.spec);
        recordEvent(ws, rec, "RUNNING", dueAt, { current_num_workers: workers, target_num_workers: workers });
      }
    } else if (to === "TERMINATED") {
      // No event marks the end: the real event types have no TERMINATED (TERMINATING carries the reason).
      lc.terminatedTime = dueAt;
      lc.stateMessage = lc.terminationReason?.parameters?.username ? `Termination requested by ${lc.terminationReason.parameters.username}` : "";
    }
    changed = true;
  }
  return changed;
}

/** Begins a fresh Spark run: PENDING for create/start, RESTARTING for restart/edit. */
export function launch(ws: WorkspaceRuntime, rec: ClusterRecord, as: "PENDING" | "RESTARTING"): void {
  const now = ws.clock.now();
  const lc = rec.lifecycle;
  enter(lc, as, now);
  lc.next = { to: "RUNNING", dueAt: now + ws.clock.duration(REAL_DURATION_MS[as]) };
  lc.lastLaunchAt = now;
  lc.launches += 1;
  lc.upSince = null;
  if (as === "PENDING") {
    lc.terminatedTime = null;
    lc.terminationReason = null;
  }
}

export function beginTermination(ws: WorkspaceRuntime, rec: ClusterRecord, reason: TerminationReason): void {
  const now = ws.clock.now();
  const lc = rec.lifecycle;
  enter(lc, "TERMINATING", now);
  lc.next = { to: "TERMINATED", dueAt: now + ws.clock.duration(REAL_DURATION_MS.TERMINATING) };
  lc.upSince = null;
  lc.terminationReason = reason;
  recordEvent(ws, rec, "TERMINATING", now, { reason });
}

export function beginResize(ws: WorkspaceRuntime, rec: ClusterRecord): void {
  const now = ws.clock.now();
  enter(rec.lifecycle, "RESIZING", now);
  rec.lifecycle.next = { to: "RUNNING", dueAt: now + ws.clock.duration(REAL_DURATION_MS.RESIZING) };
}

/** A cluster about to be launched for the first time (`launch` gives it its first state). */
export const newLifecycle = (now: number): ClusterLifecycle => ({
  state: "PENDING",
  stateSince: now,
  stateMessage: "",
  next: null,
  lastLaunchAt: null,
  launches: 0,
  upSince: null,
  terminatedTime: null,
  terminationReason: null,
});

/** The lifecycle of a cluster the seed declares already RUNNING or TERMINATED. */
export function seededLifecycle(state: "RUNNING" | "TERMINATED", now: number, owner: string): ClusterLifecycle {
  const running = state === "RUNNING";
  return {
    state,
    stateSince: now,
    stateMessage: running ? "" : `Termination requested by ${owner}`,
    next: null,
    lastLaunchAt: now,
    launches: 1,
    upSince: running ? now : null,
    terminatedTime: running ? null : now,
    terminationReason: running ? null : userRequestReason(owner),
  };
}
