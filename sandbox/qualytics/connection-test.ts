import { DatabricksUnreachable, DatabricksWorkspaceClient, type DatabricksReply, type DatabricksWorkspaceTarget } from "./databricks-client";

/**
 * Decides a Databricks connection test the way the real service finds out: by reaching the
 * workspace with the connection's token. Each way it can fail has its own message, worded like
 * the JDBC-level errors Qualytics relays (the real texts vary by driver version; these are the
 * sandbox's, kept distinct so tests and users can tell the reasons apart).
 */

export interface DatabricksConnectionFields {
  host: string;
  password: string;
  parameters: { path: string };
}

/** Where in the workspace the datastore points: `database` is the catalog. */
export interface DatastoreScope {
  database?: string | null;
  schema?: string | null;
}

export type ConnectionTestResult = { connected: true } | { connected: false; message: string };

type HttpPath = { kind: "warehouse"; id: string } | { kind: "cluster"; orgId: string; clusterId: string };

/** `/sql/1.0/warehouses/<id>` (or the older `/sql/1.0/endpoints/<id>`), or `sql/protocolv1/o/<org>/<cluster>`. */
export function parseHttpPath(path: string): HttpPath | undefined {
  const trimmed = path.trim().replace(/^\/+/, "");
  const warehouse = /^sql\/1\.0\/(?:warehouses|endpoints)\/([A-Za-z0-9]+)\/?$/.exec(trimmed);
  if (warehouse) return { kind: "warehouse", id: warehouse[1]! };
  const cluster = /^sql\/protocolv1\/o\/(\d+)\/([A-Za-z0-9-]+)\/?$/.exec(trimmed);
  if (cluster) return { kind: "cluster", orgId: cluster[1]!, clusterId: cluster[2]! };
  return undefined;
}

/** Thrown inside a test to stop at the first failing step; the message is the test's answer. */
class Failed extends Error {
  constructor(reason: string) {
    super(`Unable to connect: ${reason}`);
  }
}

/** A reply the test did not expect (an injected 5xx or 429 on the Databricks side, ...). */
const unexpected = (host: string, reply: DatabricksReply) => new Failed(`'${host}' answered HTTP ${reply.status}`);

type Listing = { names: string[] } | { failure: string };

export class DatabricksConnectionTester {
  constructor(private readonly workspaces: DatabricksWorkspaceTarget[]) {}

  /** The workspace a host name resolves to; DNS names are case-insensitive. */
  resolve(host: string): DatabricksWorkspaceTarget | undefined {
    const wanted = host.trim().toLowerCase();
    return this.workspaces.find((w) => w.host.toLowerCase() === wanted);
  }

  /**
   * Host → token → HTTP path (warehouse or cluster, org id) → catalog → schema, stopping at the
   * first failure. Stopped or terminated compute passes: a JDBC connection starts it.
   */
  async test(connection: DatabricksConnectionFields, scope: DatastoreScope = {}): Promise<ConnectionTestResult> {
    try {
      const client = await this.reach(connection);
      await this.checkCompute(client, connection.parameters.path);
      await this.checkScope(client, scope);
      return { connected: true };
    } catch (err) {
      if (err instanceof Failed) return { connected: false, message: err.message };
      throw err;
    }
  }

  /**
   * Catalog names in the connection's workspace (discovery), or the failed test that stopped
   * the listing.
   */
  async listCatalogs(connection: DatabricksConnectionFields): Promise<Listing> {
    return this.list(connection, (client) => client.catalogs(), "catalogs");
  }

  /** Schema names in one catalog of the connection's workspace (discovery). */
  async listSchemas(connection: DatabricksConnectionFields, catalog: string): Promise<Listing> {
    return this.list(
      connection,
      async (client) => {
        await this.checkScope(client, { database: catalog });
        return client.schemas(catalog);
      },
      "schemas",
    );
  }

  private async list(
    connection: DatabricksConnectionFields,
    call: (client: DatabricksWorkspaceClient) => Promise<DatabricksReply>,
    key: "catalogs" | "schemas",
  ): Promise<Listing> {
    try {
      const client = await this.reach(connection);
      await this.checkCompute(client, connection.parameters.path);
      const reply = await this.ask(client, () => call(client));
      if (reply.status !== 200) throw unexpected(client.target.host, reply);
      // Databricks leaves an empty list out of the body altogether.
      const entries = (reply.body[key] ?? []) as { name: string }[];
      return { names: entries.map((e) => e.name) };
    } catch (err) {
      if (err instanceof Failed) return { failure: err.message };
      throw err;
    }
  }

  /** Calls the workspace, turning "no answer" into a failed verdict. */
  private async ask(client: DatabricksWorkspaceClient, call: () => Promise<DatabricksReply>): Promise<DatabricksReply> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof DatabricksUnreachable) throw new Failed(`could not reach '${client.target.host}' (${err.message})`);
      throw err;
    }
  }

  private async reach(connection: DatabricksConnectionFields): Promise<DatabricksWorkspaceClient> {
    const target = this.resolve(connection.host);
    if (!target) throw new Failed(`unknown host '${connection.host}'`);
    const client = new DatabricksWorkspaceClient(target, connection.password);
    const auth = await this.ask(client, client.tokenList);
    if (auth.status === 401 || auth.status === 403) throw new Failed(`invalid access token for '${target.host}'`);
    if (auth.status !== 200) throw unexpected(target.host, auth);
    return client;
  }

  private async checkCompute(client: DatabricksWorkspaceClient, path: string): Promise<void> {
    const host = client.target.host;
    const parsed = parseHttpPath(path);
    if (!parsed) throw new Failed(`invalid HTTP path '${path}'`);
    if (parsed.kind === "warehouse") {
      const reply = await this.ask(client, () => client.warehouse(parsed.id));
      const state = reply.body.state;
      // A deleted warehouse stays readable for a while, but connections to it fail.
      if (reply.status === 404 || (reply.status === 200 && (state === "DELETED" || state === "DELETING"))) {
        throw new Failed(`SQL warehouse '${parsed.id}' does not exist`);
      }
      if (reply.status === 403) throw new Failed(`permission denied on SQL warehouse '${parsed.id}'`);
      if (reply.status !== 200) throw unexpected(host, reply);
      return;
    }
    if (parsed.orgId !== client.target.orgId) {
      throw new Failed(`HTTP path names workspace id '${parsed.orgId}', but '${host}' is workspace id '${client.target.orgId}'`);
    }
    const reply = await this.ask(client, () => client.cluster(parsed.clusterId));
    // clusters/get answers an unknown id with 400 INVALID_PARAMETER_VALUE ("Cluster ... does not exist").
    if (reply.status === 404 || (reply.status === 400 && reply.body.error_code === "INVALID_PARAMETER_VALUE")) {
      throw new Failed(`cluster '${parsed.clusterId}' does not exist`);
    }
    if (reply.status === 403) throw new Failed(`permission denied on cluster '${parsed.clusterId}'`);
    if (reply.status !== 200) throw unexpected(host, reply);
  }

  private async checkScope(client: DatabricksWorkspaceClient, { database, schema }: DatastoreScope): Promise<void> {
    const host = client.target.host;
    // Without a catalog the driver uses the workspace default catalog, which the sandbox does not
    // model, so a schema alone is not checked.
    if (database === undefined || database === null) return;
    const catalog = await this.ask(client, () => client.catalog(database));
    if (catalog.status === 404) throw new Failed(`catalog '${database}' not found`);
    if (catalog.status === 403) throw new Failed(`permission denied on catalog '${database}'`);
    if (catalog.status !== 200) throw unexpected(host, catalog);
    if (schema === undefined || schema === null) return;
    const found = await this.ask(client, () => client.schema(database, schema));
    if (found.status === 404) throw new Failed(`schema '${schema}' not found in catalog '${database}'`);
    if (found.status === 403) throw new Failed(`permission denied on schema '${database}.${schema}'`);
    if (found.status !== 200) throw unexpected(host, found);
  }
}
