import { z } from "zod";
import { hostsSeedSchema } from "../common/seed";

/** A workspace user. Admins pass every permission check, like workspace admins do. */
export const userSeedSchema = z.object({
  userName: z.string().min(1),
  admin: z.boolean().default(false),
  /**
   * Personal access tokens this user already has. Plain strings chosen by whoever writes the
   * seed (the sandbox stores only their hashes); tokens created through the API look real.
   */
  tokens: z
    .array(
      z.object({
        value: z.string().min(8),
        comment: z.string().default("seed"),
        /** Days from sandbox start until the token expires; omitted: it never expires (a seed's choice). */
        lifetimeDays: z.number().positive().optional(),
      }),
    )
    .default([]),
});

/**
 * A cluster policy as `policies/clusters/get` returns it: `definition` is a JSON string mapping a
 * spec path (`spark_conf.spark.x`, `autotermination_minutes`, `custom_tags.team`) to a rule
 * (`{"type": "fixed"|"forbidden"|"allowlist"|"blocklist"|"range"|"regex"|"unlimited", ...}`).
 */
export const policySeedSchema = z.object({
  policy_id: z.string().regex(/^[0-9A-F]{16}$/, "16 upper-case hex digits, like Databricks' ids"),
  name: z.string().min(1),
  definition: z.string().min(2),
  description: z.string().optional(),
});

/** A cluster as `clusters/get` would return its spec, plus who owns it and its ACL. */
export const clusterSeedSchema = z
  .object({
    cluster_id: z.string().optional(),
    cluster_name: z.string().min(1),
    spark_version: z.string().min(1),
    node_type_id: z.string().default("i3.xlarge"),
    num_workers: z.number().int().min(0).optional(),
    state: z.enum(["RUNNING", "TERMINATED"]).default("TERMINATED"),
    /** userName of the creator; gets CAN_MANAGE. */
    owner: z.string().min(1),
    acl: z.array(z.object({ user_name: z.string(), permission_level: z.enum(["CAN_ATTACH_TO", "CAN_RESTART", "CAN_MANAGE"]) })).default([]),
  })
  .passthrough();

export const warehouseSeedSchema = z.object({
  id: z.string().optional(),
  name: z.string().min(1),
  state: z.enum(["RUNNING", "STOPPED"]).default("RUNNING"),
});

export const catalogSeedSchema = z.object({
  name: z.string().min(1),
  schemas: z.array(z.string().min(1)).default(["default"]),
});

export const workspaceSeedSchema = z.object({
  /** The real host name this workspace answers for, e.g. `dbc-1a2b3c4d-5e6f.cloud.databricks.com`. */
  host: z.string().min(1),
  /** Numeric workspace (org) id, as in `sql/protocolv1/o/<org-id>/...` HTTP paths. */
  orgId: z.string().regex(/^\d+$/).optional(),
  users: z.array(userSeedSchema).default([]),
  clusters: z.array(clusterSeedSchema).default([]),
  warehouses: z.array(warehouseSeedSchema).default([]),
  catalogs: z.array(catalogSeedSchema).default([]),
  policies: z.array(policySeedSchema).optional(),
  /**
   * How the front end answers an invalid, expired or revoked token: `json` (today's
   * `{"error_code": 403, "message": "Invalid access token."}`) or `html` (the Jetty error page
   * older front ends send). Both are 403 with `X-Databricks-Reason-Phrase`.
   */
  invalidTokenForm: z.enum(["json", "html"]).optional(),
  /** The workspace setting `maxTokenLifetimeDays` (workspace-conf); omitted: no cap. */
  maxTokenLifetimeDays: z.number().int().positive().optional(),
  /** Whether `clusters/update` (partial update) is served; older workspaces lack it (404 ENDPOINT_NOT_FOUND). */
  clustersUpdate: z.boolean().optional(),
});

export const databricksSeedSchema = hostsSeedSchema("workspaces", workspaceSeedSchema);

export type UserSeed = z.infer<typeof userSeedSchema>;
export type ClusterSeed = z.infer<typeof clusterSeedSchema>;
export type WarehouseSeed = z.infer<typeof warehouseSeedSchema>;
export type PolicySeed = z.infer<typeof policySeedSchema>;
export type CatalogSeed = z.infer<typeof catalogSeedSchema>;
export type WorkspaceSeed = z.infer<typeof workspaceSeedSchema>;
export type DatabricksSeed = z.infer<typeof databricksSeedSchema>;
