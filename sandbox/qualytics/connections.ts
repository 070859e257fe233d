import type { FastifyInstance } from "fastify";
import { answer } from "../common/answer";
import { connectionBody, connectionUpdateBody, type ConnectionBody } from "./bodies";
import { badRequest, conflict } from "./errors";
import type { QualyticsInstance } from "./instance";
import type { ConnectionRecord } from "./model";
import { paginate, readPageRequest } from "./pagination";
import { QueryReader, parseBody, pathId } from "./request";
import { connectionView } from "./views";

/** Databricks SQL endpoints listen on 443. */
const DEFAULT_PORT = 443;

/**
 * Connection names are unique. Undocumented; qualytics-cli reads a 409 on datastore create as
 * "A connection with these credentials already exists", so a clash is a 409 here.
 */
export function requireUniqueConnectionName(inst: QualyticsInstance, name: string, exceptId?: number): void {
  if (inst.data.connections.some((c) => c.name === name && c.id !== exceptId)) {
    throw conflict(`A connection named '${name}' already exists`);
  }
}

/** Checks and builds a connection record; the caller stores it (after any connection test). */
export function newConnection(inst: QualyticsInstance, body: ConnectionBody): ConnectionRecord {
  requireUniqueConnectionName(inst, body.name);
  return {
    id: inst.nextId("connection"),
    name: body.name,
    type: body.type,
    host: body.host,
    port: body.port ?? DEFAULT_PORT,
    password: body.password,
    parameters: { path: body.parameters.path },
    created: inst.nowIso(),
  };
}

/**
 * `/api/connections`. Creating or editing a connection does not test it (the guide tests from
 * the datastore form; qualytics-cli has a separate `connections test`). A connection outlives
 * its datastores and cannot be deleted while one still uses it (the guide: "Source Datastores
 * and Enrichment Datastores associated must be removed before deleting the connection").
 */
export function connectionRoutes(app: FastifyInstance, inst: QualyticsInstance): void {
  app.get("/api/connections", async (req) => {
    const query = new QueryReader(req.query as Record<string, string | string[] | undefined>);
    const name = query.string("name");
    const types = query.list("type");
    const pageRequest = readPageRequest(query);
    query.done();
    const matching = inst.data.connections
      .filter((c) => name === undefined || c.name === name)
      .filter((c) => types.length === 0 || types.includes(c.type))
      .sort((a, b) => a.id - b.id);
    const page = paginate(matching, pageRequest);
    return { ...page, items: page.items.map((c) => connectionView(inst, c, true)) };
  });

  app.post("/api/connections", async (req) => {
    inst.requireRole(req, "Manager");
    const body = parseBody(connectionBody, req.body);
    const connection = newConnection(inst, body);
    inst.data.connections.push(connection);
    inst.save();
    return connectionView(inst, connection);
  });

  app.get("/api/connections/:connection_id", async (req) => connectionView(inst, inst.connection(pathId(req.params, "connection_id"))));

  app.put("/api/connections/:connection_id", async (req) => {
    inst.requireRole(req, "Manager");
    const connection = inst.connection(pathId(req.params, "connection_id"));
    const body = parseBody(connectionUpdateBody, req.body);
    // The guide: "you are not able to edit the connector itself".
    if (body.type !== connection.type) throw badRequest("The connector type of a connection cannot be changed");
    requireUniqueConnectionName(inst, body.name, connection.id);
    connection.name = body.name;
    if (body.host) connection.host = body.host;
    if (body.port) connection.port = body.port;
    if (body.password) connection.password = body.password;
    if (body.parameters) connection.parameters = { path: body.parameters.path };
    inst.save();
    return connectionView(inst, connection);
  });

  // Tests a saved connection, with the body's fields (if any) in place of the saved ones and
  // nothing stored (qualytics-cli's `connections test`). 200 `{connected, message?}`.
  app.post("/api/connections/:connection_id/test", async (req) => {
    inst.requireRole(req, "Manager");
    const connection = inst.connection(pathId(req.params, "connection_id"));
    const override = req.body === undefined || req.body === null ? {} : parseBody(connectionUpdateBody.partial(), req.body);
    if (override.password) inst.secrets.add(override.password);
    return inst.tester.test({
      host: override.host ?? connection.host,
      password: override.password ?? connection.password,
      parameters: override.parameters ?? connection.parameters,
    });
  });

  app.delete("/api/connections/:connection_id", async (req) => {
    inst.requireRole(req, "Admin");
    const connection = inst.connection(pathId(req.params, "connection_id"));
    const users = inst.data.datastores.filter((d) => d.connectionId === connection.id);
    if (users.length > 0) {
      // Status from qualytics-cli ("Returns 409 if datastores still reference it"); wording unconfirmed.
      throw conflict(`Connection id: ${connection.id} is used by datastore(s): ${users.map((d) => `${d.id} (${d.name})`).join(", ")}`);
    }
    inst.data.connections = inst.data.connections.filter((c) => c !== connection);
    inst.save();
    return answer(204);
  });
}
