import { HttpClient, type ErrorBodyReader } from "../core/http";
import { ServiceError } from "../core/errors";
import { registerSecret } from "../core/redact";
import { endpointFor } from "../core/settings";
import type { DatabricksCredentials } from "./credentials";
import { assertTokenValid } from "./token-validity";

/** How a workspace words a token it does not accept (the body, or the reason header when the body is an HTML page). */
const INVALID_TOKEN_TEXT = /invalid access token|token (has )?expired|expired token|token is expiring|invalid token/i;

/**
 * Databricks words errors as `{"error_code": "...", "message": "..."}`; the HTTP layer has
 * already turned an HTML page into `{message}` and a numeric `error_code` into its string. A
 * numeric code that only repeats the status (`{"error_code": 403}`, the invalid-token answer) is
 * left out of messages.
 */
export const readDatabricksError: ErrorBodyReader = (body, status, headers = {}) => {
  let code: string | undefined;
  let detail: string | undefined;
  if (body && typeof body === "object") {
    const b = body as { error_code?: unknown; message?: unknown; error?: unknown };
    code = typeof b.error_code === "string" ? b.error_code : typeof b.error_code === "number" ? String(b.error_code) : undefined;
    detail = typeof b.message === "string" ? b.message : typeof b.error === "string" ? b.error : undefined;
  }
  if (code !== undefined && /^\d+$/.test(code)) code = code === String(status) ? undefined : code;
  const text = `${detail ?? ""} ${typeof body === "string" ? body.slice(0, 300) : ""} ${headers["x-databricks-reason-phrase"] ?? ""}`;
  if (code === "QUOTA_EXCEEDED") return { code, detail, hint: TOKEN_QUOTA_HINT };
  return { code, detail, hint: isInvalidTokenAnswer(status, text) ? DATABRICKS_TOKEN_HINT : undefined };
};

/** A refused token: 401 (no or unusable credential), or the 403 "Invalid access token." workspaces answer an unknown, expired or revoked one with. */
export const isInvalidTokenAnswer = (status: number | undefined, text: string) => status === 401 || (status === 403 && INVALID_TOKEN_TEXT.test(text));

/** True when a Databricks call failed because the workspace does not accept the token at all. */
export function isInvalidTokenError(err: unknown): boolean {
  return err instanceof ServiceError && err.service === "Databricks" && isInvalidTokenAnswer(err.status, err.detail);
}

/** What to do about a refused Databricks token, wherever this stack reads it from. */
export const DATABRICKS_TOKEN_HINT =
  "the token is invalid, expired or revoked: create a new one (User Settings → Developer → Access tokens → Generate new token, or a DatabricksAccessToken resource) " +
  "and rotate it where this stack reads it: the resource's token input (authToken, databricksToken), `pulumi config set --secret databricks:token <token>`, or DATABRICKS_TOKEN";

const TOKEN_QUOTA_HINT =
  "the user already has as many live tokens as the workspace allows (600): revoke unused ones (User Settings → Developer → Access tokens, or an admin through token management) and run again";

export interface TokenInfo {
  token_id: string;
  creation_time: number;
  /** -1 for a token that never expires (made before workspaces gave every token a lifetime). */
  expiry_time: number;
  comment?: string;
}

/** True when Databricks says the object is gone (404, or the 400 it uses for unknown ids). */
export function isDatabricksNotFound(err: unknown): boolean {
  if (!(err instanceof ServiceError)) return false;
  if (err.status === 404 || err.code === "RESOURCE_DOES_NOT_EXIST") return true;
  return err.status === 400 && err.code === "INVALID_PARAMETER_VALUE" && /does not exist/i.test(err.detail);
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

  // ---- identity and workspace settings ----

  /** The caller as SCIM `Me` reports it: what `current_user.me()` calls. */
  async currentUser(): Promise<{ id?: string; userName?: string; active?: boolean }> {
    const { data } = await this.http.request<{ id?: string; userName?: string; active?: boolean }>({
      method: "GET",
      path: "/api/2.0/preview/scim/v2/Me",
      operation: "scim/Me",
    });
    return data;
  }

  /**
   * The workspace's cap on new tokens' lifetime (`maxTokenLifetimeDays`), or undefined when none
   * is set or the caller may not read it (then token/create itself enforces it).
   */
  async maxTokenLifetimeDays(): Promise<number | undefined> {
    try {
      const { data } = await this.http.request<Record<string, unknown>>({
        method: "GET",
        path: "/api/2.0/workspace-conf",
        query: { keys: "maxTokenLifetimeDays" },
        operation: "workspace-conf get",
      });
      const days = Number(data.maxTokenLifetimeDays ?? 0);
      return Number.isFinite(days) && days > 0 ? days : undefined;
    } catch (err) {
      if (err instanceof ServiceError && err.status !== undefined && err.status >= 400 && err.status < 500 && !isInvalidTokenError(err)) return undefined;
      throw err;
    }
  }

  // ---- cluster policies (/api/2.0/policies/clusters) ----

  /** A policy with its definition, or undefined when the workspace has none by that id. */
  async getClusterPolicy(policyId: string): Promise<ClusterPolicy | undefined> {
    return this.http.find<ClusterPolicy>(
      { method: "GET", path: "/api/2.0/policies/clusters/get", query: { policy_id: policyId }, operation: "policies/clusters/get" },
      isDatabricksNotFound,
    );
  }

  // ---- clusters (/api/2.1/clusters) ----

  /**
   * Partial update: sets only the top-level fields in `fields` (a field named there but absent
   * from `cluster` is cleared), so changes others made to the remaining fields survive. Returns
   * false when the workspace does not serve `clusters/update` (older workspaces: 404
   * ENDPOINT_NOT_FOUND); the caller then falls back to a full-spec edit.
   */
  async updateCluster(clusterId: string, cluster: Record<string, unknown>, fields: string[]): Promise<boolean> {
    try {
      await this.http.request({
        method: "POST",
        path: "/api/2.1/clusters/update",
        body: { cluster_id: clusterId, update_mask: fields.join(","), cluster },
        // The same fields set twice end in the same cluster.
        idempotent: true,
        operation: "clusters/update",
      });
      return true;
    } catch (err) {
      if (err instanceof ServiceError && err.status === 404 && (err.code === "ENDPOINT_NOT_FOUND" || err.code === undefined)) return false;
      throw err;
    }
  }

  /** A cluster as `clusters/get` returns it, or undefined when the workspace has no such cluster. */
  async getCluster(clusterId: string): Promise<ClusterInfo | undefined> {
    return this.http.find<ClusterInfo>(
      { method: "GET", path: "/api/2.1/clusters/get", query: { cluster_id: clusterId }, operation: "clusters/get" },
      isDatabricksNotFound,
    );
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
   * Can Manage ability, so a 403 here means the caller lacks it, unless the token itself is
   * refused: a workspace answers an invalid, expired or revoked token with 403 on every call,
   * so a 403 is read as "lacks Can Manage" only once the identity call (SCIM Me) succeeds.
   * A refused token throws the invalid-token error.
   */
  async canManageCluster(clusterId: string): Promise<boolean> {
    try {
      await this.http.request({ method: "GET", path: `/api/2.0/permissions/clusters/${encodeURIComponent(clusterId)}`, operation: "permissions/clusters get" });
      return true;
    } catch (err) {
      if (err instanceof ServiceError && err.status === 403) {
        await assertTokenValid(this, err);
        return false;
      }
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

/** A cluster policy: `definition` is a JSON string of spec path → rule. */
export interface ClusterPolicy {
  policy_id: string;
  name: string;
  definition?: string;
  [field: string]: unknown;
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
