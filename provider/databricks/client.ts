import { HttpClient, type ErrorBodyReader } from "../core/http";
import { ServiceError } from "../core/errors";
import { registerSecret } from "../core/redact";
import { endpointFor } from "../core/settings";
import type { DatabricksCredentials } from "./credentials";

/** Databricks words errors as `{"error_code": "...", "message": "..."}`. */
export const readDatabricksError: ErrorBodyReader = (body) => {
  if (body && typeof body === "object") {
    const b = body as { error_code?: unknown; message?: unknown; error?: unknown };
    return {
      code: typeof b.error_code === "string" ? b.error_code : undefined,
      detail: typeof b.message === "string" ? b.message : typeof b.error === "string" ? b.error : undefined,
    };
  }
  return {};
};

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
}
