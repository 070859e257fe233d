/**
 * The cluster fields only Databricks sets (its id, state, times, defaults, runtime facts): a
 * `clusters/get` answer carries them, `clusters/create` and `clusters/edit` drop them silently.
 * One list for the sandbox (which drops them from a spec) and the command line (which leaves them
 * out when it sends a `get` answer back to `edit`, keeping `cluster_id`, which edit needs).
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
