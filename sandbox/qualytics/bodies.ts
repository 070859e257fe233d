import { z } from "zod";

/**
 * Request bodies, as the OpenAPI spec and the user guide describe them. Optional fields accept
 * `null` like pydantic `Optional[...] = None`; unknown fields are ignored. Limits are the
 * guide's: name and description ≤ 255, prefix ≤ 60, source record limit 1–1e9, rollup 1–1000.
 */

/**
 * A Databricks connection. The sandbox models the `databricks` connector only, so any other
 * `type` is a 422 here although the real service accepts many.
 */
export const connectionBody = z.object({
  name: z.string().min(1).max(255),
  type: z.literal("databricks"),
  /** Server Hostname, e.g. `dbc-....cloud.databricks.com` (no scheme). */
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).nullish(),
  /** The personal access token. */
  password: z.string().min(1),
  /** `path` is the warehouse's or cluster's HTTP Path. */
  parameters: z.object({ path: z.string().min(1) }),
});
export type ConnectionBody = z.infer<typeof connectionBody>;

/**
 * `PUT /connections/{id}` changes only what it is given, but `name` and `type` are required
 * (qualytics-cli's `complete_connection_update_payload`: "fields required by the controlplane's
 * connection update schema"). GET never returns the token, so it may be left out.
 */
export const connectionUpdateBody = z.object({
  name: z.string().min(1).max(255),
  type: z.literal("databricks"),
  host: z.string().min(1).nullish(),
  port: z.number().int().min(1).max(65535).nullish(),
  password: z.string().min(1).nullish(),
  parameters: z.object({ path: z.string().min(1) }).nullish(),
});
export type ConnectionUpdateBody = z.infer<typeof connectionUpdateBody>;

/** Fields a datastore's create and update bodies share. */
const datastoreFields = {
  name: z.string().min(1).max(255),
  description: z.string().max(255).nullish(),
  /** The Databricks catalog ("Catalog" in the guide). */
  database: z.string().nullish(),
  /** The Databricks schema ("Database" in the guide). */
  schema: z.string().nullish(),
  teams: z.array(z.string()).nullish(),
  tags: z.array(z.string()).nullish(),
  enrichment_only: z.boolean().nullish(),
  enrichment_prefix: z.string().max(60).nullish(),
  enrichment_source_record_limit: z.number().int().min(1).max(1_000_000_000).nullish(),
  enrichment_remediation_strategy: z.enum(["none", "append", "overwrite"]).nullish(),
  high_count_rollup_threshold: z.number().int().min(1).max(1000).nullish(),
  connection_id: z.number().int().nullish(),
};

export const datastoreCreateBody = z
  .object({
    ...datastoreFields,
    connection: connectionBody.nullish(),
    /** Link an existing enrichment datastore right away (same rules as the PATCH). */
    enrichment_datastore_id: z.number().int().nullish(),
    trigger_sync: z.boolean().nullish(),
    /**
     * The older name of `trigger_sync`; the current qualytics-cli and the guide's API examples
     * still send it, so the sandbox accepts both.
     */
    trigger_catalog: z.boolean().nullish(),
  })
  .refine((b) => (b.connection ? 1 : 0) + (b.connection_id !== undefined && b.connection_id !== null ? 1 : 0) === 1, {
    message: "Exactly one of connection or connection_id must be provided",
  });
export type DatastoreCreateBody = z.infer<typeof datastoreCreateBody>;

/**
 * `PUT /datastores/{id}`: partial semantics (the guide), so every field may be left out. The
 * connection itself is changed through `/connections/{id}`; an inline `connection` object is
 * ignored here (qualytics-cli sends `{type}` for native datastores).
 */
export const datastoreUpdateBody = z.object({ ...datastoreFields, name: datastoreFields.name.nullish() });
export type DatastoreUpdateBody = z.infer<typeof datastoreUpdateBody>;

export const runOperationBody = z.object({
  datastore_id: z.number().int(),
  /** `catalog` is the older name of `sync`. */
  type: z.enum(["sync", "catalog", "profile", "scan", "materialize", "export"]),
  include: z.array(z.string()).nullish(),
  prune: z.boolean().nullish(),
  recreate: z.boolean().nullish(),
});
