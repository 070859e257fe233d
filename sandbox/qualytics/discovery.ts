import type { FastifyInstance } from "fastify";
import { badRequest } from "./errors";
import type { QualyticsInstance } from "./instance";
import { QueryReader, pathId } from "./request";

/**
 * Catalog and schema discovery for a saved connection, as the guide's multi-schema flow uses
 * them: each name comes with the datastores that already point at it. The names are read from
 * the Databricks workspace (Unity Catalog); a connection that cannot connect is a 400 with the
 * connection test's message (status unconfirmed).
 */
export function discoveryRoutes(app: FastifyInstance, inst: QualyticsInstance): void {
  app.get("/api/connections/:connection_id/catalogs", async (req) => {
    inst.requireRole(req, "Manager");
    const connection = inst.connection(pathId(req.params, "connection_id"));
    const listed = await inst.tester.listCatalogs(connection);
    if ("failure" in listed) throw badRequest(listed.failure);
    return listed.names.map((name) => ({
      name,
      existing_datastores: inst.data.datastores.filter((d) => d.connectionId === connection.id && d.database === name).map((d) => ({ id: d.id, name: d.name })),
    }));
  });

  app.get("/api/connections/:connection_id/schemas", async (req) => {
    inst.requireRole(req, "Manager");
    const connection = inst.connection(pathId(req.params, "connection_id"));
    const query = new QueryReader(req.query as Record<string, string | string[] | undefined>);
    const catalog = query.string("catalog");
    query.done();
    // Without `catalog` the real service lists the default catalog, which the sandbox does not model.
    if (catalog === undefined) throw badRequest("The sandbox needs a catalog to list schemas");
    const listed = await inst.tester.listSchemas(connection, catalog);
    if ("failure" in listed) throw badRequest(listed.failure);
    return listed.names.map((name) => ({
      name,
      existing_datastores: inst.data.datastores
        .filter((d) => d.connectionId === connection.id && d.database === catalog && d.schema === name)
        .map((d) => ({ id: d.id, name: d.name })),
    }));
  });
}
