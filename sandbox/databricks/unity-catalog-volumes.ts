import type { FastifyInstance } from "fastify";
import { invalidParameter } from "./errors";
import type { WorkspaceRuntime } from "./workspace";
import {
  createVolumeBody,
  findVolume,
  managedStorageRoot,
  newAudit,
  parseUcBody,
  readRoute,
  requireCatalog,
  requireOwner,
  requireSchema,
  splitFullName,
  ucName,
  ucState,
  volumeExists,
  volumeInfo,
  volumeNotFound,
  type UcVolume,
  type UnityCatalogState,
} from "./unity-catalog-model";

/**
 * UC volumes (`/api/2.1/unity-catalog/volumes`): list, create, get, delete. Just enough for the
 * Files API to have somewhere to put files; a volume's files are keyed by its `volume_id`, so a
 * deleted and re-created volume starts empty, as in the real service.
 */
export function volumeRoutes(app: FastifyInstance, ws: WorkspaceRuntime): void {
  const base = "/api/2.1/unity-catalog/volumes";

  const volumeByFullName = (state: UnityCatalogState, fullName: string): UcVolume => {
    const parts = splitFullName(fullName, 3);
    if (!parts) throw volumeNotFound(fullName.toLowerCase());
    const [catalog, schema, name] = parts as [string, string, string];
    requireSchema(state, catalog, schema);
    const volume = findVolume(state, catalog, schema, name);
    if (!volume) throw volumeNotFound(`${catalog}.${schema}.${name}`);
    return volume;
  };

  app.get(base, async (req) => {
    const query = req.query as Record<string, string | undefined>;
    if (!query.catalog_name) throw invalidParameter("Missing required field: catalog_name");
    if (!query.schema_name) throw invalidParameter("Missing required field: schema_name");
    const state = ucState(ws);
    const schema = requireSchema(state, query.catalog_name, query.schema_name);
    const volumes = state.volumes
      .filter((v) => v.catalogName === schema.catalogName && v.schemaName === schema.name)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((v) => volumeInfo(v, state.metastoreId));
    return volumes.length ? { volumes } : {};
  });

  app.post(base, async (req) => {
    const body = parseUcBody(createVolumeBody, req.body);
    const user = ws.caller(req);
    const state = ucState(ws);
    const schema = requireSchema(state, body.catalog_name, body.schema_name);
    const catalog = requireCatalog(state, schema.catalogName);
    const name = ucName(body.name, "volume");
    const fullName = `${schema.catalogName}.${schema.name}.${name}`;
    requireOwner(user, [schema.owner, catalog.owner], `Schema '${schema.catalogName}.${schema.name}'`);
    if (body.volume_type === "EXTERNAL" && !body.storage_location) throw invalidParameter("Missing required field: storage_location");
    if (body.volume_type === "MANAGED" && body.storage_location) {
      throw invalidParameter("Managed volumes cannot specify a storage_location.");
    }
    if (findVolume(state, schema.catalogName, schema.name, name)) throw volumeExists(fullName);
    const audit = newAudit(user.userName, ws.clock.now(), { comment: body.comment });
    const volume: UcVolume = {
      catalogName: schema.catalogName,
      schemaName: schema.name,
      name,
      volumeType: body.volume_type,
      storageLocation: body.storage_location ?? `${managedStorageRoot(ws.host, state.metastoreId)}/volumes/${audit.id}`,
      ...audit,
    };
    state.volumes.push(volume);
    ws.save();
    return volumeInfo(volume, state.metastoreId);
  });

  readRoute(app, ws, { base, param: "fullName" }, volumeByFullName, volumeInfo);

  app.delete<{ Params: { fullName: string } }>(`${base}/:fullName`, async (req) => {
    const user = ws.caller(req);
    const state = ucState(ws);
    const volume = volumeByFullName(state, req.params.fullName);
    const schema = requireSchema(state, volume.catalogName, volume.schemaName);
    const catalog = requireCatalog(state, volume.catalogName);
    requireOwner(user, [volume.owner, schema.owner, catalog.owner], `Volume '${volume.catalogName}.${volume.schemaName}.${volume.name}'`);
    state.volumes = state.volumes.filter((v) => v !== volume);
    ws.save();
    return {};
  });
}
