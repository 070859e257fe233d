import { HttpClient, type ErrorBodyReader } from "../core/http";
import { ServiceError } from "../core/errors";
import { registerSecret } from "../core/redact";
import { endpointFor } from "../core/settings";
import type { DatabricksCredentials } from "./credentials";

/** Databricks words errors as `{"error_code": "...", "message": "..."}`. */
export const readDatabricksError: ErrorBodyReader = (body, status) => {
  let code: string | undefined;
  let detail: string | undefined;
  if (body && typeof body === "object") {
    const b = body as { error_code?: unknown; message?: unknown; error?: unknown };
    code = typeof b.error_code === "string" ? b.error_code : undefined;
    detail = typeof b.message === "string" ? b.message : typeof b.error === "string" ? b.error : undefined;
  }
  const text = `${detail ?? ""} ${typeof body === "string" ? body.slice(0, 300) : ""}`;
  // A refused token: 401, or the 403 "Invalid access token." workspaces answer an expired or revoked one with.
  const refused = status === 401 || (status === 403 && /invalid access token|token (has )?expired|expired token/i.test(text));
  return { code, detail, hint: refused ? DATABRICKS_TOKEN_HINT : undefined };
};

/** What to do about a refused Databricks token, wherever this stack reads it from. */
export const DATABRICKS_TOKEN_HINT =
  "the workspace refused the token (expired, revoked or mistyped). Make a new one (User Settings → Developer → Access tokens → Generate new token, or a DatabricksAccessToken resource) " +
  "and set it where this stack reads it: the resource's token input (authToken, databricksToken), `pulumi config set --secret databricks:token <token>`, or DATABRICKS_TOKEN";

export interface TokenInfo {
  token_id: string;
  creation_time: number;
  /** -1 when the token never expires. */
  expiry_time: number;
  comment?: string;
}

/** True when Databricks says the object is gone (404, or the 400 it uses for unknown ids). */
export function isDatabricksNotFound(err: unknown): boolean {
  if (!(err instanceof ServiceError)) return false;
  if (err.status === 404 || err.code === "RESOURCE_DOES_NOT_EXIST") return true;
  return err.status === 400 && err.code === "INVALID_PARAMETER_VALUE" && /does not exist/i.test(err.message);
}

/** Every Databricks REST call the package makes, one method each. */
export class DatabricksClient {
  readonly host: string;
  private readonly http: HttpClient;

  constructor(credentials: DatabricksCredentials) {
    registerSecret(credentials.token);
    this.host = credentials.host;
    this.http = new HttpClient({
      service: "Databricks",
      baseUrl: endpointFor(credentials.host),
      authHeaders: () => ({ Authorization: `Bearer ${credentials.token}` }),
      readError: readDatabricksError,
    });
  }

  // ---- tokens (/api/2.0/token) ----

  async createToken(args: { comment?: string; lifetimeSeconds?: number }): Promise<{ token_value: string; token_info: TokenInfo }> {
    const { data } = await this.http.request<{ token_value: string; token_info: TokenInfo }>({
      method: "POST",
      path: "/api/2.0/token/create",
      body: { comment: args.comment, lifetime_seconds: args.lifetimeSeconds },
      operation: "token/create",
    });
    registerSecret(data.token_value);
    return data;
  }

  async listTokens(): Promise<TokenInfo[]> {
    const { data } = await this.http.request<{ token_infos?: TokenInfo[] }>({
      method: "GET",
      path: "/api/2.0/token/list",
      operation: "token/list",
    });
    return data.token_infos ?? [];
  }

  /** Revokes a token; a token that is already gone counts as revoked (returns false). */
  async deleteToken(tokenId: string): Promise<boolean> {
    try {
      await this.http.request({
        method: "POST",
        path: "/api/2.0/token/delete",
        body: { token_id: tokenId },
        // Revoking twice leaves the same outcome, so a retry is harmless.
        idempotent: true,
        operation: "token/delete",
      });
      return true;
    } catch (err) {
      if (isDatabricksNotFound(err)) return false;
      throw err;
    }
  }

  // ---- clusters (/api/2.1/clusters) ----

  /** A cluster as `clusters/get` returns it, or undefined when the workspace has no such cluster. */
  async getCluster(clusterId: string): Promise<ClusterInfo | undefined> {
    try {
      const { data } = await this.http.request<ClusterInfo>({
        method: "GET",
        path: "/api/2.1/clusters/get",
        query: { cluster_id: clusterId },
        operation: "clusters/get",
      });
      return data;
    } catch (err) {
      if (isDatabricksNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Replaces a cluster's spec (the API resets whatever the body omits). */
  async editCluster(spec: Record<string, unknown>): Promise<void> {
    await this.http.request({
      method: "POST",
      path: "/api/2.1/clusters/edit",
      body: spec,
      // The same full spec twice ends in the same cluster.
      idempotent: true,
      operation: "clusters/edit",
    });
  }

  /**
   * Whether the caller may manage the cluster. Reading a cluster's permissions is itself a
   * Can Manage ability, so a 403 here means the caller lacks it.
   */
  async canManageCluster(clusterId: string): Promise<boolean> {
    try {
      await this.http.request({ method: "GET", path: `/api/2.0/permissions/clusters/${encodeURIComponent(clusterId)}`, operation: "permissions/clusters get" });
      return true;
    } catch (err) {
      if (err instanceof ServiceError && err.status === 403) return false;
      throw err;
    }
  }

  // ---- libraries (/api/2.0/libraries) ----

  async libraryStatuses(clusterId: string): Promise<LibraryStatus[]> {
    const { data } = await this.http.request<{ library_statuses?: LibraryStatus[] }>({
      method: "GET",
      path: "/api/2.0/libraries/cluster-status",
      query: { cluster_id: clusterId },
      operation: "libraries/cluster-status",
    });
    // Proto3 JSON leaves an empty list out.
    return data.library_statuses ?? [];
  }

  async uninstallLibraries(clusterId: string, libraries: Record<string, unknown>[]): Promise<void> {
    await this.http.request({
      method: "POST",
      path: "/api/2.0/libraries/uninstall",
      body: { cluster_id: clusterId, libraries },
      idempotent: true,
      operation: "libraries/uninstall",
    });
  }

  /** Installing what is already there is a no-op, so this is safe to repeat. */
  async installLibraries(clusterId: string, libraries: Record<string, unknown>[]): Promise<void> {
    await this.http.request({
      method: "POST",
      path: "/api/2.0/libraries/install",
      body: { cluster_id: clusterId, libraries },
      idempotent: true,
      operation: "libraries/install",
    });
  }
}

/** The parts of `clusters/get` this package reads; everything else is kept as it comes. */
export interface ClusterInfo {
  cluster_id: string;
  cluster_name?: string;
  state: string;
  state_message?: string;
  spark_conf?: Record<string, string>;
  custom_tags?: Record<string, string>;
  init_scripts?: Record<string, { destination?: string } & Record<string, unknown>>[];
  [field: string]: unknown;
}

export interface LibraryStatus {
  library: Record<string, unknown>;
  status: string;
  messages?: string[];
}
