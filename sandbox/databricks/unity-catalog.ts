import type { FastifyInstance } from "fastify";
import { DatabricksApiError, invalidParameter } from "./errors";
import type { WorkspaceArea, WorkspaceRuntime } from "./workspace";
import {
  DEFAULT_SCHEMA,
  INFORMATION_SCHEMA,
  UNITY_CATALOG_AREA,
  builtInSchemas,
  catalogExists,
  catalogInfo,
  createCatalogBody,
  createSchemaBody,
  findCatalog,
  findSchema,
  isForce,
  metastoreIdFor,
  newAudit,
  parseUcBody,
  requireCatalog,
  requireOwner,
  requireSchema,
  schemaExists,
  schemaInfo,
  schemaNotFound,
  splitFullName,
  applyAuditedUpdate,
  readRoute,
  ucName,
  ucState,
  updateCatalogBody,
  updateSchemaBody,
  type UnityCatalogState,
} from "./unity-catalog-model";
import { volumeRoutes } from "./unity-catalog-volumes";

/**
 * Unity Catalog: catalogs and schemas (`/api/2.1/unity-catalog/...`), plus volumes (see
 * unity-catalog-volumes.ts). Seeded from `seed.catalogs`; the Files API resolves `/Volumes/...`
 * paths against this slice.
 */
export const unityCatalogArea: WorkspaceArea<UnityCatalogState> = {
  name: UNITY_CATALOG_AREA,
  init(seed, ws) {
    const now = ws.clock.now();
    // Seeded catalogs belong to the first workspace admin (the seed names no owner).
    const owner = seed.users.find((u) => u.admin)?.userName ?? "admin";
    const state: UnityCatalogState = { metastoreId: metastoreIdFor(seed.host), catalogs: [], schemas: [], volumes: [] };
    for (const c of seed.catalogs) {
      const name = c.name.toLowerCase();
      const schemas = c.schemas.map((n) => n.toLowerCase());
      state.catalogs.push({ name, ...newAudit(owner, now) });
      state.schemas.push(...builtInSchemas(name, owner, now).filter((s) => s.name !== DEFAULT_SCHEMA || schemas.includes(DEFAULT_SCHEMA)));
      for (const s of schemas) {
        if (s === DEFAULT_SCHEMA || s === INFORMATION_SCHEMA) continue;
        state.schemas.push({ catalogName: name, name: s, ...newAudit(owner, now) });
      }
    }
    return state;
  },
  routes(app: FastifyInstance, ws: WorkspaceRuntime) {
    catalogRoutes(app, ws);
    schemaRoutes(app, ws);
    volumeRoutes(app, ws);
  },
};

/** A catalog is empty when it holds nothing but the auto-created schemas, and those hold no volumes. */
function userSchemaCount(state: UnityCatalogState, catalog: string): number {
  return state.schemas.filter((s) => s.catalogName === catalog && s.name !== DEFAULT_SCHEMA && s.name !== INFORMATION_SCHEMA).length;
}

function catalogRoutes(app: FastifyInstance, ws: WorkspaceRuntime): void {
  const base = "/api/2.1/unity-catalog/catalogs";

  app.get(base, async () => {
    const state = ucState(ws);
    const catalogs = [...state.catalogs].sort((a, b) => a.name.localeCompare(b.name)).map((c) => catalogInfo(c, state.metastoreId));
    // Databricks omits empty repeated fields (`{}` rather than `{"catalogs": []}`).
    return catalogs.length ? { catalogs } : {};
  });

  app.post(base, async (req) => {
    const body = parseUcBody(createCatalogBody, req.body);
    const user = ws.caller(req);
    const state = ucState(ws);
    const name = ucName(body.name, "catalog");
    // Creating catalogs needs CREATE CATALOG on the metastore; the sandbox grants it to admins only.
    if (!user.admin) {
      throw new DatabricksApiError(403, "PERMISSION_DENIED", `User does not have CREATE CATALOG on Metastore '${state.metastoreId}'.`);
    }
    if (findCatalog(state, name)) throw catalogExists(name);
    const now = ws.clock.now();
    const catalog = {
      name,
      ...newAudit(user.userName, now, { comment: body.comment, properties: body.properties }),
      ...(body.storage_root !== undefined ? { storageRoot: body.storage_root } : {}),
    };
    state.catalogs.push(catalog);
    state.schemas.push(...builtInSchemas(name, user.userName, now));
    ws.save();
    return catalogInfo(catalog, state.metastoreId);
  });

  readRoute(app, ws, { base, param: "name" }, requireCatalog, catalogInfo);

  app.patch<{ Params: { name: string } }>(`${base}/:name`, async (req) => {
    const body = parseUcBody(updateCatalogBody, req.body);
    const user = ws.caller(req);
    const state = ucState(ws);
    const catalog = requireCatalog(state, req.params.name);
    requireOwner(user, [catalog.owner], `Catalog '${catalog.name}'`);
    if (body.new_name !== undefined) {
      const newName = ucName(body.new_name, "catalog");
      if (newName !== catalog.name && findCatalog(state, newName)) throw catalogExists(newName);
      for (const s of state.schemas) if (s.catalogName === catalog.name) s.catalogName = newName;
      for (const v of state.volumes) if (v.catalogName === catalog.name) v.catalogName = newName;
      catalog.name = newName;
    }
    applyAuditedUpdate(catalog, body, user.userName, ws.clock.now());
    ws.save();
    return catalogInfo(catalog, state.metastoreId);
  });

  app.delete<{ Params: { name: string } }>(`${base}/:name`, async (req) => {
    const user = ws.caller(req);
    const state = ucState(ws);
    const catalog = requireCatalog(state, req.params.name);
    requireOwner(user, [catalog.owner], `Catalog '${catalog.name}'`);
    const schemas = userSchemaCount(state, catalog.name);
    const volumes = state.volumes.filter((v) => v.catalogName === catalog.name).length;
    if ((schemas > 0 || volumes > 0) && !isForce(req.query)) {
      // Status and wording modelled on the schema case (SCHEMA_NOT_EMPTY), which is confirmed.
      throw new DatabricksApiError(
        400,
        "CATALOG_NOT_EMPTY",
        `Catalog '${catalog.name}' is not empty. The catalog has ${schemas} schemas(s) (excluding the default and information_schema schemas) and ${volumes} volumes(s). Use force=true to delete it.`,
      );
    }
    state.catalogs = state.catalogs.filter((c) => c !== catalog);
    state.schemas = state.schemas.filter((s) => s.catalogName !== catalog.name);
    state.volumes = state.volumes.filter((v) => v.catalogName !== catalog.name);
    ws.save();
    return {};
  });
}

function schemaRoutes(app: FastifyInstance, ws: WorkspaceRuntime): void {
  const base = "/api/2.1/unity-catalog/schemas";

  /** `catalog.schema` → the schema record (catalog checked first, as UC reports the outermost miss). */
  const schemaByFullName = (state: UnityCatalogState, fullName: string) => {
    const parts = splitFullName(fullName, 2);
    if (!parts) throw schemaNotFound(fullName.toLowerCase());
    return requireSchema(state, parts[0]!, parts[1]!);
  };

  app.get(base, async (req) => {
    const catalogName = (req.query as Record<string, string | undefined>).catalog_name;
    if (!catalogName) throw invalidParameter("Missing required field: catalog_name");
    const state = ucState(ws);
    const catalog = requireCatalog(state, catalogName);
    const schemas = state.schemas
      .filter((s) => s.catalogName === catalog.name)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((s) => schemaInfo(s, state.metastoreId));
    return schemas.length ? { schemas } : {};
  });

  app.post(base, async (req) => {
    const body = parseUcBody(createSchemaBody, req.body);
    const user = ws.caller(req);
    const state = ucState(ws);
    const catalog = requireCatalog(state, body.catalog_name);
    const name = ucName(body.name, "schema");
    requireOwner(user, [catalog.owner], `Catalog '${catalog.name}'`);
    if (findSchema(state, catalog.name, name)) throw schemaExists(`${catalog.name}.${name}`);
    const schema = { catalogName: catalog.name, name, ...newAudit(user.userName, ws.clock.now(), { comment: body.comment, properties: body.properties }) };
    state.schemas.push(schema);
    ws.save();
    return schemaInfo(schema, state.metastoreId);
  });

  readRoute(app, ws, { base, param: "fullName" }, schemaByFullName, schemaInfo);

  app.patch<{ Params: { fullName: string } }>(`${base}/:fullName`, async (req) => {
    const body = parseUcBody(updateSchemaBody, req.body);
    const user = ws.caller(req);
    const state = ucState(ws);
    const schema = schemaByFullName(state, req.params.fullName);
    const catalog = requireCatalog(state, schema.catalogName);
    requireOwner(user, [schema.owner, catalog.owner], `Schema '${schema.catalogName}.${schema.name}'`);
    if (body.new_name !== undefined) {
      const newName = ucName(body.new_name, "schema");
      if (newName !== schema.name && findSchema(state, schema.catalogName, newName)) throw schemaExists(`${schema.catalogName}.${newName}`);
      for (const v of state.volumes) if (v.catalogName === schema.catalogName && v.schemaName === schema.name) v.schemaName = newName;
      schema.name = newName;
    }
    applyAuditedUpdate(schema, body, user.userName, ws.clock.now());
    ws.save();
    return schemaInfo(schema, state.metastoreId);
  });

  app.delete<{ Params: { fullName: string } }>(`${base}/:fullName`, async (req) => {
    const user = ws.caller(req);
    const state = ucState(ws);
    const schema = schemaByFullName(state, req.params.fullName);
    const fullName = `${schema.catalogName}.${schema.name}`;
    const catalog = requireCatalog(state, schema.catalogName);
    requireOwner(user, [schema.owner, catalog.owner], `Schema '${fullName}'`);
    // information_schema is system-managed; the exact real refusal is unconfirmed.
    if (schema.name === INFORMATION_SCHEMA) throw invalidParameter(`Schema '${fullName}' is a system schema and cannot be deleted.`);
    const inSchema = (v: { catalogName: string; schemaName: string }) => v.catalogName === schema.catalogName && v.schemaName === schema.name;
    const volumes = state.volumes.filter(inSchema).length;
    if (volumes > 0 && !isForce(req.query)) {
      // Real wording, as reported in terraform-provider-databricks#3659.
      throw new DatabricksApiError(
        400,
        "SCHEMA_NOT_EMPTY",
        `Schema '${fullName}' is not empty. The schema has 0 tables(s), 0 functions(s), ${volumes} volumes(s)`,
      );
    }
    state.schemas = state.schemas.filter((s) => s !== schema);
    state.volumes = state.volumes.filter((v) => !inSchema(v));
    ws.save();
    return {};
  });
}
