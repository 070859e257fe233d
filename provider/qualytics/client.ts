import { ServiceError } from "../core/errors";
import { HttpClient, type ErrorBodyReader } from "../core/http";
import { registerSecret } from "../core/redact";
import { endpointFor } from "../core/settings";
import type { QualyticsCredentials } from "./credentials";

/** Qualytics (FastAPI) words errors as `{"detail": "..."}`, or a list of field errors on 422. */
export const readQualyticsError: ErrorBodyReader = (body, status) => {
  const hint = status === 401 ? QUALYTICS_TOKEN_HINT : undefined;
  if (!body || typeof body !== "object") return { hint };
  const b = body as { detail?: unknown; fault_context?: { code?: unknown } };
  const code = typeof b.fault_context?.code === "string" ? b.fault_context.code : undefined;
  if (typeof b.detail === "string") return { code, detail: b.detail, hint };
  if (Array.isArray(b.detail)) {
    const detail = b.detail
      .map((d: { loc?: unknown[]; msg?: unknown }) => `${(d.loc ?? []).filter((l) => l !== "body").join(".")}: ${String(d.msg ?? "invalid")}`)
      .join("; ");
    return { code, detail, hint };
  }
  return { code, hint };
};

/** What to do about a refused Qualytics token. */
const QUALYTICS_TOKEN_HINT =
  "Qualytics refused the token (expired, revoked or mistyped): make a new API token in Qualytics (Settings → Tokens) and set it where this stack reads it: " +
  "the resource's qualyticsToken input, `pulumi config set --secret qualytics:token <token>`, or QUALYTICS_TOKEN";

/** The connection part of a datastore payload (a Databricks JDBC connection). */
export interface ConnectionPayload {
  name: string;
  type: "databricks";
  host: string;
  port?: number;
  password?: string;
  parameters: { path: string };
}

/** What create / PUT take for a datastore. */
export interface DatastorePayload {
  name: string;
  teams: string[];
  tags: string[];
  description?: string | null;
  database?: string | null;
  schema?: string | null;
  enrichment_only: boolean;
  trigger_sync?: boolean;
  enrichment_prefix?: string | null;
  enrichment_source_record_limit?: number | null;
  enrichment_remediation_strategy?: "none" | "append" | "overwrite" | null;
  connection?: ConnectionPayload;
  connection_id?: number;
}

export interface Datastore {
  id: number;
  name: string;
  type: string;
  connected?: boolean | null;
  connection_id: number;
  host: string;
  port?: number;
  parameters?: { path?: string } | null;
  database?: string | null;
  schema?: string | null;
  description?: string | null;
  enrichment_only: boolean;
  enrichment_prefix?: string | null;
  enrichment_source_record_limit?: number | null;
  enrichment_remediation_strategy?: string | null;
  enrich_datastore?: { id: number; name?: string } | null;
  teams?: (string | { name: string })[];
  global_tags?: (string | { name: string })[];
  latest_operation?: { id: number; type?: string; status?: string; result?: string } | null;
}

export interface Connection {
  id: number;
  name: string;
  type: string;
  host: string;
  datastores?: { id: number; name: string }[];
}

interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
  pages: number;
}

/** Every Qualytics REST call the package makes, one method each. */
export class QualyticsClient {
  readonly host: string;
  private readonly http: HttpClient;
  private readonly base: string;

  constructor(credentials: QualyticsCredentials) {
    registerSecret(credentials.token);
    this.host = credentials.host;
    this.base = credentials.basePath;
    this.http = new HttpClient({
      service: "Qualytics",
      baseUrl: endpointFor(credentials.host),
      authHeaders: () => ({ Authorization: `Bearer ${credentials.token}` }),
      readError: readQualyticsError,
    });
  }

  /** Datastores with exactly this name, enrichment stores included (the list hides them by default). */
  async findDatastoresByName(name: string): Promise<Datastore[]> {
    const found: Datastore[] = [];
    for (const enrichmentOnly of [false, true]) {
      const { data } = await this.http.request<Page<Datastore>>({
        method: "GET",
        path: `${this.base}/datastores`,
        query: { name, enrichment_only: enrichmentOnly, page: 1, size: 100 },
        operation: "datastores/list",
      });
      found.push(...data.items.filter((d) => d.name === name));
    }
    return found;
  }

  /** The datastore, or undefined when it does not exist. */
  async getDatastore(id: number): Promise<Datastore | undefined> {
    const res = await this.http.request<Datastore>({
      method: "GET",
      path: `${this.base}/datastores/${id}`,
      acceptStatuses: [404],
      operation: "datastores/get",
    });
    return res.status === 404 ? undefined : res.data;
  }

  async createDatastore(payload: DatastorePayload): Promise<Datastore> {
    if (payload.connection?.password) registerSecret(payload.connection.password);
    const { data } = await this.http.request<Datastore>({
      method: "POST",
      path: `${this.base}/datastores`,
      body: payload,
      operation: "datastores/create",
    });
    return data;
  }

  async updateDatastore(id: number, payload: DatastorePayload): Promise<Datastore> {
    if (payload.connection?.password) registerSecret(payload.connection.password);
    const { data } = await this.http.request<Datastore>({
      method: "PUT",
      path: `${this.base}/datastores/${id}`,
      body: payload,
      operation: "datastores/update",
    });
    return data;
  }

  /** Deletes a datastore; one already gone counts as deleted (returns false). */
  async deleteDatastore(id: number): Promise<boolean> {
    const res = await this.http.request({
      method: "DELETE",
      path: `${this.base}/datastores/${id}`,
      acceptStatuses: [404],
      operation: "datastores/delete",
    });
    return res.status !== 404;
  }

  /**
   * Tests a connection before anything is saved. Resolves with the service's reason when the
   * test fails, undefined when it passes.
   */
  async testUnsavedConnection(payload: DatastorePayload): Promise<string | undefined> {
    if (payload.connection?.password) registerSecret(payload.connection.password);
    try {
      await this.http.request({
        method: "POST",
        path: `${this.base}/datastores/connection`,
        body: payload,
        // Testing twice has no effect beyond the answer.
        idempotent: true,
        operation: "datastores/connection (test)",
      });
      return undefined;
    } catch (err) {
      if (err instanceof ServiceError && err.status === 400) return err.message.replace(/^.*?HTTP 400[^:]*: /, "");
      throw err;
    }
  }

  /** Tests a saved datastore's connection; the service records the result as `connected`. */
  async testDatastoreConnection(id: number): Promise<{ connected: boolean; message?: string }> {
    const { data } = await this.http.request<{ connected: boolean; message?: string }>({
      method: "POST",
      path: `${this.base}/datastores/${id}/connection`,
      idempotent: true,
      operation: "datastores/{id}/connection (test)",
    });
    return data;
  }

  async linkEnrichment(id: number, enrichmentId: number): Promise<Datastore> {
    const { data } = await this.http.request<Datastore>({
      method: "PATCH",
      path: `${this.base}/datastores/${id}/enrichment/${enrichmentId}`,
      idempotent: true,
      operation: "datastores/{id}/enrichment (link)",
    });
    return data;
  }

  async unlinkEnrichment(id: number): Promise<void> {
    await this.http.request({
      method: "DELETE",
      path: `${this.base}/datastores/${id}/enrichment`,
      operation: "datastores/{id}/enrichment (unlink)",
    });
  }

  /** Connections with exactly this name, with the datastores that use each. */
  async findConnectionsByName(name: string): Promise<Connection[]> {
    const { data } = await this.http.request<Page<Connection>>({
      method: "GET",
      path: `${this.base}/connections`,
      query: { name, page: 1, size: 100 },
      operation: "connections/list",
    });
    return data.items.filter((c) => c.name === name);
  }

  async updateConnection(id: number, connection: Partial<ConnectionPayload>): Promise<void> {
    if (connection.password) registerSecret(connection.password);
    await this.http.request({
      method: "PUT",
      path: `${this.base}/connections/${id}`,
      body: connection,
      operation: "connections/update",
    });
  }

  /** Deletes a connection unless datastores still use it (409) or it is gone (404). */
  async deleteConnectionIfUnused(id: number): Promise<void> {
    await this.http.request({
      method: "DELETE",
      path: `${this.base}/connections/${id}`,
      acceptStatuses: [404, 409],
      operation: "connections/delete",
    });
  }
}
