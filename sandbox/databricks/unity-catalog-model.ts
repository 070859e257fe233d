export { parseBody as parseUcBody } from "./request";
import { createHash, randomUUID } from "crypto";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { DatabricksApiError, invalidParameter, permissionDenied } from "./errors";
import type { SandboxUser, WorkspaceRuntime } from "./workspace";

/**
 * Unity Catalog state and the shapes the REST API returns for it. Plain JSON only: the slice is
 * persisted as is. UC identifiers are case-insensitive and stored lower-case (creating `Sales`
 * yields `sales`), so every name is lower-cased on the way in.
 */

interface Audited {
  owner: string;
  comment?: string;
  properties?: Record<string, string>;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
  /** UUID, as `id` / `schema_id` / `volume_id`. */
  id: string;
}

export interface UcCatalog extends Audited {
  name: string;
  storageRoot?: string;
}

export interface UcSchema extends Audited {
  catalogName: string;
  name: string;
}

export interface UcVolume extends Audited {
  catalogName: string;
  schemaName: string;
  name: string;
  volumeType: "MANAGED" | "EXTERNAL";
  storageLocation: string;
}

export interface UnityCatalogState {
  metastoreId: string;
  catalogs: UcCatalog[];
  schemas: UcSchema[];
  volumes: UcVolume[];
}

export const UNITY_CATALOG_AREA = "unity-catalog";

/** Schemas every catalog gets on creation; they do not make a catalog "non-empty". */
export const DEFAULT_SCHEMA = "default";
export const INFORMATION_SCHEMA = "information_schema";

export const ucState = (ws: WorkspaceRuntime) => ws.slice<UnityCatalogState>(UNITY_CATALOG_AREA);

// ---- errors (UC has its own error codes; the SDKs map them by HTTP status) ----

export const catalogNotFound = (name: string) => new DatabricksApiError(404, "CATALOG_DOES_NOT_EXIST", `Catalog '${name}' does not exist.`);
export const schemaNotFound = (fullName: string) => new DatabricksApiError(404, "SCHEMA_DOES_NOT_EXIST", `Schema '${fullName}' does not exist.`);
export const catalogExists = (name: string) => new DatabricksApiError(409, "CATALOG_ALREADY_EXISTS", `Catalog '${name}' already exists`);
export const schemaExists = (fullName: string) => new DatabricksApiError(409, "SCHEMA_ALREADY_EXISTS", `Schema '${fullName}' already exists`);
// The SDK error enum has no VOLUME_* codes; the generic ones are used (unconfirmed).
export const volumeNotFound = (fullName: string) => new DatabricksApiError(404, "RESOURCE_DOES_NOT_EXIST", `Volume '${fullName}' does not exist.`);
export const volumeExists = (fullName: string) => new DatabricksApiError(409, "RESOURCE_ALREADY_EXISTS", `Volume '${fullName}' already exists`);

// ---- names and lookups ----

/** Lower-cases a UC identifier and rejects the characters UC forbids in one. */
export function ucName(raw: string, what: string): string {
  const name = raw.trim().toLowerCase();
  if (name === "" || /[.\/\s\x00-\x1f]/.test(name)) throw invalidParameter(`Invalid ${what} name '${raw}'.`);
  return name;
}

/** Splits `a.b` / `a.b.c` full names (lower-cased); undefined when the shape is wrong. */
export function splitFullName(fullName: string, parts: number): string[] | undefined {
  const names = fullName.toLowerCase().split(".");
  return names.length === parts && names.every((n) => n !== "") ? names : undefined;
}

export const findCatalog = (state: UnityCatalogState, name: string) => state.catalogs.find((c) => c.name === name.toLowerCase());

export const findSchema = (state: UnityCatalogState, catalogName: string, name: string) =>
  state.schemas.find((s) => s.catalogName === catalogName.toLowerCase() && s.name === name.toLowerCase());

export const findVolume = (state: UnityCatalogState, catalogName: string, schemaName: string, name: string) =>
  state.volumes.find((v) => v.catalogName === catalogName.toLowerCase() && v.schemaName === schemaName.toLowerCase() && v.name === name.toLowerCase());

export function requireCatalog(state: UnityCatalogState, name: string): UcCatalog {
  const catalog = findCatalog(state, name);
  if (!catalog) throw catalogNotFound(name.toLowerCase());
  return catalog;
}

export function requireSchema(state: UnityCatalogState, catalogName: string, name: string): UcSchema {
  requireCatalog(state, catalogName);
  const schema = findSchema(state, catalogName, name);
  if (!schema) throw schemaNotFound(`${catalogName}.${name}`.toLowerCase());
  return schema;
}

// ---- ownership (the sandbox models owners and admins, not the full grant model) ----

export function requireOwner(user: SandboxUser, owners: (string | undefined)[], securable: string): void {
  if (user.admin || owners.includes(user.userName)) return;
  throw permissionDenied(`User does not have the required privileges on ${securable}.`);
}

// ---- records ----

export function newAudit(user: string, now: number, fields: { owner?: string; comment?: string; properties?: Record<string, string> } = {}): Audited {
  return {
    owner: fields.owner ?? user,
    ...(fields.comment !== undefined ? { comment: fields.comment } : {}),
    ...(fields.properties !== undefined ? { properties: fields.properties } : {}),
    createdAt: now,
    createdBy: user,
    updatedAt: now,
    updatedBy: user,
    id: randomUUID(),
  };
}

export function touch(record: Audited, user: string, now: number): void {
  record.updatedAt = now;
  record.updatedBy = user;
}

/** An update's audited fields (each only when given), then the update stamped on the record. */
export function applyAuditedUpdate(
  record: Audited,
  body: { comment?: string; owner?: string; properties?: Record<string, string> },
  user: string,
  now: number,
): void {
  if (body.comment !== undefined) record.comment = body.comment;
  if (body.owner !== undefined) record.owner = body.owner;
  if (body.properties !== undefined) record.properties = body.properties;
  touch(record, user, now);
}

/** The two schemas UC creates with every catalog. */
export function builtInSchemas(catalogName: string, user: string, now: number): UcSchema[] {
  return [
    { catalogName, name: DEFAULT_SCHEMA, ...newAudit(user, now, { comment: "Default schema (auto-created)" }) },
    { catalogName, name: INFORMATION_SCHEMA, ...newAudit(user, now, { owner: "System user", comment: "Information schema (auto-created)" }) },
  ];
}

/** A stable metastore id per workspace host. */
export function metastoreIdFor(host: string): string {
  const hex = createHash("sha256").update(`metastore:${host}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Where managed volumes live: the metastore root in the workspace's cloud. */
export function managedStorageRoot(host: string, metastoreId: string): string {
  if (host.includes("azuredatabricks") || host.includes("databricks.azure")) return `abfss://unity@sandboxmetastore.dfs.core.windows.net/${metastoreId}`;
  if (host.includes("gcp.databricks")) return `gs://sandbox-metastore/${metastoreId}`;
  return `s3://sandbox-metastore/${metastoreId}`;
}

const auditFields = (r: Audited, metastoreId: string) => ({
  owner: r.owner,
  ...(r.comment !== undefined ? { comment: r.comment } : {}),
  ...(r.properties !== undefined ? { properties: r.properties } : {}),
  metastore_id: metastoreId,
  created_at: r.createdAt,
  created_by: r.createdBy,
  updated_at: r.updatedAt,
  updated_by: r.updatedBy,
});

export const catalogInfo = (c: UcCatalog, metastoreId: string) => ({
  name: c.name,
  full_name: c.name,
  ...auditFields(c, metastoreId),
  ...(c.storageRoot !== undefined ? { storage_root: c.storageRoot } : {}),
  catalog_type: "MANAGED_CATALOG",
  isolation_mode: "OPEN",
  securable_type: "CATALOG",
  browse_only: false,
  id: c.id,
});

export const schemaInfo = (s: UcSchema, metastoreId: string) => ({
  name: s.name,
  catalog_name: s.catalogName,
  full_name: `${s.catalogName}.${s.name}`,
  ...auditFields(s, metastoreId),
  catalog_type: "MANAGED_CATALOG",
  browse_only: false,
  schema_id: s.id,
});

export const volumeInfo = (v: UcVolume, metastoreId: string) => ({
  name: v.name,
  catalog_name: v.catalogName,
  schema_name: v.schemaName,
  full_name: `${v.catalogName}.${v.schemaName}.${v.name}`,
  ...auditFields(v, metastoreId),
  volume_type: v.volumeType,
  volume_id: v.id,
  storage_location: v.storageLocation,
});

// ---- request parsing ----

const stringMap = z.record(z.string(), z.string());

export const createCatalogBody = z.object({
  name: z.string(),
  comment: z.string().optional(),
  properties: stringMap.optional(),
  storage_root: z.string().optional(),
});

export const updateCatalogBody = z.object({
  new_name: z.string().optional(),
  comment: z.string().optional(),
  owner: z.string().optional(),
  properties: stringMap.optional(),
});

export const createSchemaBody = z.object({
  name: z.string(),
  catalog_name: z.string(),
  comment: z.string().optional(),
  properties: stringMap.optional(),
  storage_root: z.string().optional(),
});

export const updateSchemaBody = updateCatalogBody;

export const createVolumeBody = z.object({
  catalog_name: z.string(),
  schema_name: z.string(),
  name: z.string(),
  volume_type: z.enum(["MANAGED", "EXTERNAL"]),
  storage_location: z.string().optional(),
  comment: z.string().optional(),
});

/** `?force=true` as sent by the SDKs (query strings are strings). */
/**
 * `GET <base>/:<param>`: every securable is read the same way, the record `find` resolves from
 * the (full) name in the path (or its 404), shown by `info`.
 */
export function readRoute<R>(
  app: FastifyInstance,
  ws: WorkspaceRuntime,
  route: { base: string; param: string },
  find: (state: UnityCatalogState, name: string) => R,
  info: (record: R, metastoreId: string) => unknown,
): void {
  app.get<{ Params: Record<string, string> }>(`${route.base}/:${route.param}`, async (req) => {
    const state = ucState(ws);
    return info(find(state, req.params[route.param]!), state.metastoreId);
  });
}

export const isForce = (query: unknown) => String((query as Record<string, unknown> | undefined)?.force ?? "").toLowerCase() === "true";
