import { z } from "zod";

/** A workspace user. Admins pass every permission check, like workspace admins do. */
export const userSeedSchema = z.object({
  userName: z.string().min(1),
  admin: z.boolean().default(false),
  /**
   * Personal access tokens this user already has. Plain strings chosen by whoever writes the
   * seed (the sandbox stores only their hashes); tokens created through the API look real.
   */
  tokens: z.array(z.object({ value: z.string().min(8), comment: z.string().default("seed") })).default([]),
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
    acl: z
      .array(z.object({ user_name: z.string(), permission_level: z.enum(["CAN_ATTACH_TO", "CAN_RESTART", "CAN_MANAGE"]) }))
      .default([]),
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
});

export const databricksSeedSchema = z.object({
  workspaces: z.array(workspaceSeedSchema).default([]),
});

export type UserSeed = z.infer<typeof userSeedSchema>;
export type ClusterSeed = z.infer<typeof clusterSeedSchema>;
export type WarehouseSeed = z.infer<typeof warehouseSeedSchema>;
export type CatalogSeed = z.infer<typeof catalogSeedSchema>;
export type WorkspaceSeed = z.infer<typeof workspaceSeedSchema>;
export type DatabricksSeed = z.infer<typeof databricksSeedSchema>;
