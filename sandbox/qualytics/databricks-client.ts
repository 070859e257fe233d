/**
 * The few Databricks REST calls the Qualytics sandbox makes to decide a connection test, sent
 * over HTTP to the running Databricks sandbox, so a revoked token, a deleted warehouse or an
 * injected fault there shows up here exactly as it would for the real service.
 */

/** A Databricks workspace a connection's `host` may name. */
export interface DatabricksWorkspaceTarget {
  /** Real host name, e.g. `dbc-1a2b3c4d-5e6f.cloud.databricks.com`. */
  host: string;
  /** Local base URL of the Databricks sandbox serving that workspace. */
  url: string;
  /**
   * The workspace (org) id that `sql/protocolv1/o/<org-id>/...` paths must name. The Databricks
   * sandbox does not expose it over HTTP, so `startSandbox` passes it in with the URL.
   */
  orgId: string;
}

export interface DatabricksReply {
  status: number;
  body: Record<string, unknown>;
}

/** The workspace did not answer at all (refused, reset, timed out). */
export class DatabricksUnreachable extends Error {}

/** One HTTP exchange with a workspace: a hung sandbox must not hang the Qualytics route. */
// PDI_SANDBOX_DOWNSTREAM_TIMEOUT_MS shortens it, so fault tests can make a workspace answer
// slower than the service's own timeout without waiting the real one out.
const requestTimeoutMs = () => Number(process.env.PDI_SANDBOX_DOWNSTREAM_TIMEOUT_MS) || 10_000;

export class DatabricksWorkspaceClient {
  constructor(
    readonly target: DatabricksWorkspaceTarget,
    private readonly token: string,
  ) {}

  private async get(apiPath: string): Promise<DatabricksReply> {
    let res: Response;
    try {
      res = await fetch(`${this.target.url}${apiPath}`, {
        headers: { authorization: `Bearer ${this.token}` },
        signal: AbortSignal.timeout(requestTimeoutMs()),
      });
    } catch (err) {
      // No instanceof: the DOMException may come from another realm (tests run the sandbox in a VM context).
      const reason = (err as { name?: unknown } | null)?.name === "TimeoutError" ? "timed out" : "connection failed";
      throw new DatabricksUnreachable(reason);
    }
    const text = await res.text().catch(() => "");
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      /* not JSON: the status decides */
    }
    return { status: res.status, body };
  }

  /** Any authenticated call answers 401 for a bad token; token/list needs no permission. */
  tokenList = () => this.get("/api/2.0/token/list");
  warehouse = (id: string) => this.get(`/api/2.0/sql/warehouses/${encodeURIComponent(id)}`);
  cluster = (id: string) => this.get(`/api/2.1/clusters/get?cluster_id=${encodeURIComponent(id)}`);
  catalog = (name: string) => this.get(`/api/2.1/unity-catalog/catalogs/${encodeURIComponent(name)}`);
  schema = (catalog: string, schema: string) => this.get(`/api/2.1/unity-catalog/schemas/${encodeURIComponent(`${catalog}.${schema}`)}`);
  catalogs = () => this.get("/api/2.1/unity-catalog/catalogs");
  schemas = (catalog: string) => this.get(`/api/2.1/unity-catalog/schemas?catalog_name=${encodeURIComponent(catalog)}`);
}
