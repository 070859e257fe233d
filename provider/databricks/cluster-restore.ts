import { ServiceError } from "../core/errors";
import { retryStep } from "../core/recovery";
import type { ClusterInfo, DatabricksClient } from "./client";
import { waitForSettled } from "./cluster-wait";

/** Map fields whose keys are restored one by one onto the live map, so others' keys survive. */
const MAP_FIELDS = new Set(["spark_conf", "custom_tags", "spark_env_vars"]);

/** The top-level field a restored item names: `spark_conf.spark.x` → `spark_conf`, `init_scripts (…)` → `init_scripts`. */
const fieldOf = (item: string) => /^[a-z_]+/.exec(item)?.[0] ?? item;

/**
 * Puts back `items` (top-level fields, or `spark_conf.<key>`-style map keys) from `desired`,
 * touching nothing else: a partial update (`clusters/update` with exactly those fields in
 * `update_mask`), so a change someone else made to any other field, or to other keys of a map,
 * between our read and this write survives. Map fields are rebuilt from the live cluster read
 * just before, plus the keys being restored. Where the workspace has no `clusters/update`, a
 * full-spec edit of the live spec with the same changes is the fallback. A cluster that moved
 * into a transitional state meanwhile (INVALID_STATE) is waited out and the write retried.
 */
export async function restoreClusterFields(
  client: DatabricksClient,
  clusterId: string,
  desired: Record<string, unknown>,
  items: string[],
  editable: (live: ClusterInfo) => Record<string, unknown>,
  timeoutMs: number,
): Promise<void> {
  const fields = [...new Set(items.map(fieldOf))];
  await retryStep(
    async () => {
      const live = await waitForSettled(client, clusterId, timeoutMs);
      const current = editable(live);
      const patch: Record<string, unknown> = {};
      for (const field of fields) {
        if (MAP_FIELDS.has(field)) {
          const keys = items.filter((i) => i.startsWith(`${field}.`)).map((i) => i.slice(field.length + 1));
          const wanted = (desired[field] ?? {}) as Record<string, unknown>;
          const restoredKeys = keys.length > 0 ? keys : Object.keys(wanted);
          patch[field] = { ...((current[field] as Record<string, unknown> | undefined) ?? {}), ...Object.fromEntries(restoredKeys.map((k) => [k, wanted[k]])) };
        } else {
          patch[field] = desired[field];
        }
      }
      if (await client.updateCluster(clusterId, patch, fields)) return;
      await client.editCluster({ ...current, ...patch, cluster_id: clusterId });
    },
    // Busy: the next attempt waits for the cluster to settle, and reads it again.
    { retryOn: (err) => err instanceof ServiceError && err.code === "INVALID_STATE" },
  );
}
