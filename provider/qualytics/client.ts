import { ServiceError } from "../core/errors";
import { HttpClient, type ErrorBodyReader } from "../core/http";
import { registerSecret } from "../core/redact";
import { endpointFor } from "../core/settings";
import type { QualyticsCredentials } from "./credentials";

/**
 * Qualytics (FastAPI) words errors as `{"detail": "..."}`, or a list of field errors on 422;
 * the guide shows the unsaved connection test failing with `{"message": "..."}`. Both are read.
 */
export const readQualyticsError: ErrorBodyReader = (body, status) => {
  const hint = status === 401 ? QUALYTICS_TOKEN_HINT : undefined;
  if (!body || typeof body !== "object") return { hint };
  const b = body as { detail?: unknown; message?: unknown; fault_context?: { code?: unknown } };
  const code = typeof b.fault_context?.code === "string" ? b.fault_context.code : undefined;
  if (typeof b.detail === "string") return { code, detail: b.detail, hint };
  if (typeof b.message === "string" && !Array.isArray(b.detail)) return { code, detail: b.message, hint };
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
  high_count_rollup_threshold?: number | null;
  connection?: ConnectionPayload;
  connection_id?: number;
}

/**
 * A datastore as Qualytics answers it. Read it through `connectionIdOf` and `isEnrichmentOnly`:
 * the sources disagree on those fields' shapes.
 */
export interface Datastore {
  id: number;
  name: string;
  type: string;
  connected?: boolean | null;
  /** The CLI's form; the guide's GET example has only `connection: {id, name, type}`. */
  connection_id?: number;
  connection?: { id?: number; name?: string; type?: string } | null;
  host: string;
  port?: number;
  parameters?: { path?: string } | null;
  database?: string | null;
  schema?: string | null;
  description?: string | null;
  enrichment_only?: boolean;
  /** The older name of `enrichment_only`. */
  enrich_only?: boolean;
  enrichment_prefix?: string | null;
  enrichment_source_record_limit?: number | null;
  enrichment_remediation_strategy?: string | null;
  high_count_rollup_threshold?: number | null;
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
  /** Optional in the spec: absent means "unknown", never "unused". */
  datastores?: { id: number; name: string }[];
}

/** The datastore's connection id, from `connection_id` or `connection.id` (whichever is given). */
export const connectionIdOf = (d: Datastore): number | undefined => d.connection_id ?? d.connection?.id ?? undefined;

/** `enrichment_only`, or its older name `enrich_only`. */
export const isEnrichmentOnly = (d: Datastore): boolean => (d.enrichment_only ?? d.enrich_only) === true;

/** What differs between control planes, learned from their answers once per provider process. */
interface PlaneTraits {
  /** true: the older names (`enrich_only`, `trigger_catalog`); undefined: not known yet. */
  olderNames?: boolean;
  /** false once `POST /datastores/connection` answered 404/405. */
  unsavedTest?: boolean;
}
const traitsByHost = new Map<string, PlaneTraits>();

const RENAMES: [current: keyof DatastorePayload, older: string][] = [
  ["enrichment_only", "enrich_only"],
  ["trigger_sync", "trigger_catalog"],
];

/** A 422 refusing the newer field names (an older control plane). */
const refusesNewerNames = (err: unknown) =>
  err instanceof ServiceError && err.status === 422 && /\b(enrichment_only|trigger_sync): Extra inputs are not permitted/.test(err.detail);

/** Unlink needs the Admin role, link the Editor team permission: a 403 says which. */
const ROLE_ADVICE = {
  link: "linking an enrichment datastore needs the Member role or higher and the Editor permission on the teams of both datastores",
  unlink: "unlinking an enrichment datastore needs the Admin role in Qualytics",
};

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
  private readonly traits: PlaneTraits;

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
    this.traits = traitsByHost.get(credentials.host) ?? {};
    traitsByHost.set(credentials.host, this.traits);
  }

  /** Whether the instance has the unsaved-payload connection test (until it answers 404). */
  get hasUnsavedTest(): boolean {
    return this.traits.unsavedTest !== false;
  }

  /** The payload in the names this control plane takes. */
  private named(payload: DatastorePayload): Record<string, unknown> {
    if (!this.traits.olderNames) return { ...payload };
    const out: Record<string, unknown> = { ...payload };
    for (const [current, older] of RENAMES) {
      if (current in out) {
        out[older] = out[current];
        delete out[current];
      }
    }
    return out;
  }

  /**
   * Sends a datastore body; the first answer decides the field names for this provider
   * process: a 422 refusing `enrichment_only`/`trigger_sync` switches to the older names (and
   * the call is sent again), an answer carrying `enrich_only` confirms them.
   */
  private async withNames<T>(payload: DatastorePayload, send: (body: Record<string, unknown>) => Promise<T>): Promise<T> {
    try {
      const answer = await send(this.named(payload));
      if (this.traits.olderNames === undefined && answer && typeof answer === "object") {
        const a = answer as Record<string, unknown>;
        if ("enrich_only" in a && !("enrichment_only" in a)) this.traits.olderNames = true;
        else if ("enrichment_only" in a) this.traits.olderNames = false;
      }
      return answer;
    } catch (err) {
      if (this.traits.olderNames || !refusesNewerNames(err)) throw err;
      this.traits.olderNames = true;
      return send(this.named(payload));
    }
  }

  /**
   * Datastores of one kind with exactly this name (the list shows sources unless asked for
   * enrichment stores). One call: a create looks up its own kind; a name the other kind holds
   * answers the create with 409, and only then is the other kind looked up.
   */
  async findDatastoresByName(name: string, enrichmentOnly: boolean): Promise<Datastore[]> {
    const { data } = await this.http.request<Page<Datastore>>({
      method: "GET",
      path: `${this.base}/datastores`,
      query: { name, enrichment_only: enrichmentOnly, page: 1, size: 100 },
      operation: "datastores/list",
    });
    return data.items.filter((d) => d.name === name);
  }

  /** The datastore, or undefined when it does not exist. */
  async getDatastore(id: number): Promise<Datastore | undefined> {
    return this.http.find<Datastore>({ method: "GET", path: `${this.base}/datastores/${id}`, operation: "datastores/get" });
  }

  /** POST /datastores; the answer is 200 (OpenAPI) or 201 (the guide): any 2xx is taken. */
  async createDatastore(payload: DatastorePayload): Promise<Datastore> {
    if (payload.connection?.password) registerSecret(payload.connection.password);
    return this.withNames(payload, async (body) => {
      const { data } = await this.http.request<Datastore>({ method: "POST", path: `${this.base}/datastores`, body, operation: "datastores/create" });
      return data;
    });
  }

  /** PUT /datastores/{id}, which has partial semantics: fields left out keep their values. */
  async updateDatastore(id: number, payload: DatastorePayload): Promise<Datastore> {
    if (payload.connection?.password) registerSecret(payload.connection.password);
    return this.withNames(payload, async (body) => {
      const { data } = await this.http.request<Datastore>({ method: "PUT", path: `${this.base}/datastores/${id}`, body, operation: "datastores/update" });
      return data;
    });
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
   * test fails, undefined when it passes, and "missing" when the instance has no such route
   * (remembered for this provider process: the caller then tests after saving).
   */
  async testUnsavedConnection(payload: DatastorePayload): Promise<string | undefined | "missing"> {
    if (payload.connection?.password) registerSecret(payload.connection.password);
    if (this.traits.unsavedTest === false) return "missing";
    try {
      const res = await this.withNames(payload, (body) =>
        this.http.request({
          method: "POST",
          path: `${this.base}/datastores/connection`,
          body,
          // Testing twice has no effect beyond the answer.
          idempotent: true,
          acceptStatuses: [404, 405],
          operation: "datastores/connection (test)",
        }),
      );
      if (res.status === 404 || res.status === 405) {
        this.traits.unsavedTest = false;
        return "missing";
      }
      this.traits.unsavedTest = true;
      return undefined;
    } catch (err) {
      if (err instanceof ServiceError && err.status === 400) return err.explanation;
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
    try {
      const { data } = await this.http.request<Datastore>({
        method: "PATCH",
        path: `${this.base}/datastores/${id}/enrichment/${enrichmentId}`,
        idempotent: true,
        operation: "datastores/{id}/enrichment (link)",
      });
      return data;
    } catch (err) {
      throw withRoleAdvice(err, ROLE_ADVICE.link);
    }
  }

  /** Unlinks; Qualytics then resets the source's remediation strategy to `none`. */
  async unlinkEnrichment(id: number): Promise<void> {
    try {
      await this.http.request({
        method: "DELETE",
        path: `${this.base}/datastores/${id}/enrichment`,
        operation: "datastores/{id}/enrichment (unlink)",
      });
    } catch (err) {
      throw withRoleAdvice(err, ROLE_ADVICE.unlink);
    }
  }

  /** The connection, or undefined when it does not exist. */
  async getConnection(id: number): Promise<Connection | undefined> {
    return this.http.find<Connection>({ method: "GET", path: `${this.base}/connections/${id}`, operation: "connections/get" });
  }

  /** Connections with exactly this name (their `datastores` field may be absent). */
  async findConnectionsByName(name: string): Promise<Connection[]> {
    const { data } = await this.http.request<Page<Connection>>({
      method: "GET",
      path: `${this.base}/connections`,
      query: { name, page: 1, size: 100 },
      operation: "connections/list",
    });
    return data.items.filter((c) => c.name === name);
  }

  /** PUT /connections/{id}: `name` and `type` are required, the rest changes what is given. */
  async updateConnection(id: number, connection: ConnectionPayload): Promise<void> {
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

/** A 403 with what Qualytics requires for the call, so the user knows whom to ask. */
function withRoleAdvice(err: unknown, advice: string): unknown {
  if (!(err instanceof ServiceError) || err.status !== 403) return err;
  return new ServiceError({ service: err.service, operation: err.operation, status: 403, code: err.code, detail: `${err.explanation} (${advice})` });
}
