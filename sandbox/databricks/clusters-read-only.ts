/**
 * The cluster fields only Databricks sets (its id, state, times, defaults, runtime facts): a
 * `clusters/get` answer carries them, `clusters/create` and `clusters/edit` drop them silently.
 * One list for the sandbox (which drops them from a spec) and the command line (which leaves them
 * out when it sends a `get` answer back to `edit`, keeping `cluster_id`, which edit needs).
 *
 * Source: the official SDK, databricks-sdk-py 0.162.0 (scripts/python-clients.txt),
 * `databricks/sdk/service/compute.py`: exactly the fields of `ClusterDetails` (the `get` answer)
 * that `ClusterSpec` (what create/edit take) and `UpdateClusterResource` (what `update_mask` may
 * name) lack; test/sandbox/databricks/read-only-fields.test.ts compares the two against the
 * installed SDK. `last_activity_time` is added from the Clusters API 2.0 reference (`ClusterInfo`),
 * which older workspaces answer with and the SDK no longer models.
 */
export const READ_ONLY_CLUSTER_FIELDS: readonly string[] = [
  "cluster_id",
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
];
