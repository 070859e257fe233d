import { ConfigurationError } from "../core/errors";
import { settings } from "../core/settings";
import { sleep } from "../core/timing";
import type { ClusterInfo, DatabricksClient } from "./client";

/** States a cluster passes through on its own; nothing may edit it until it leaves them. */
export const TRANSITIONAL_STATES = new Set(["PENDING", "RESTARTING", "RESIZING", "TERMINATING"]);

/** First poll interval; it doubles up to ten times this (a real cluster start takes minutes). */
const pollBaseMs = () => settings().pollMs;

/**
 * Polls `clusters/get` with backoff until `done(cluster)` holds. Fails when the cluster
 * disappears, enters ERROR, or the timeout passes, saying which state it was stuck in.
 */
export async function waitForCluster(
  client: DatabricksClient,
  clusterId: string,
  what: string,
  done: (cluster: ClusterInfo) => boolean,
  timeoutMs: number,
): Promise<ClusterInfo> {
  const deadline = Date.now() + timeoutMs;
  let delay = pollBaseMs();
  for (;;) {
    const cluster = await client.getCluster(clusterId);
    if (!cluster) throw new ConfigurationError(`cluster ${clusterId} was deleted from ${client.host} while waiting for it to be ${what}`);
    if (done(cluster)) return cluster;
    if (what === "RUNNING" && cluster.state === "TERMINATED") {
      const reason = (cluster.termination_reason as { code?: string } | undefined)?.code;
      throw new ConfigurationError(
        `cluster ${clusterId} terminated instead of starting${reason ? ` (${reason})` : ""}: ${cluster.state_message ?? "see its event log"}`,
      );
    }
    if (cluster.state === "ERROR")
      throw new ConfigurationError(`cluster ${clusterId} is in state ERROR (${cluster.state_message ?? "no message"}); fix it in Databricks and run again`);
    if (Date.now() + delay > deadline) {
      throw new ConfigurationError(
        `cluster ${clusterId} was still ${cluster.state}${cluster.state_message ? ` (${cluster.state_message})` : ""} after ${Math.round(timeoutMs / 60_000)} min waiting for it to be ${what}; raise runningTimeoutMinutes or check the cluster's event log`,
      );
    }
    await sleep(delay);
    delay = Math.min(delay * 2, pollBaseMs() * 10);
  }
}

/** Waits until the cluster can be edited: RUNNING or TERMINATED (the only states `clusters/edit` accepts). */
export const waitForSettled = (client: DatabricksClient, clusterId: string, timeoutMs: number) =>
  waitForCluster(client, clusterId, "RUNNING or TERMINATED", (c) => !TRANSITIONAL_STATES.has(c.state), timeoutMs);

export const waitForRunning = (client: DatabricksClient, clusterId: string, timeoutMs: number) =>
  waitForCluster(client, clusterId, "RUNNING", (c) => c.state === "RUNNING", timeoutMs);
