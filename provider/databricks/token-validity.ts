import { ConfigurationError, ServiceError } from "../core/errors";
import type { DatabricksClient } from "./client";
import { DATABRICKS_TOKEN_HINT, isInvalidTokenError } from "./client";

/**
 * Telling "this token is invalid" from "this identity lacks a permission". A workspace answers
 * an invalid, expired or revoked token with 403 on every call (`{"error_code": 403, "message":
 * "Invalid access token."}`, or an HTML page), and a missing permission with 403
 * PERMISSION_DENIED on the one call. The body usually says which; when it does not, the
 * identity call (SCIM `Me`, which every valid token may make) settles it.
 */
export async function tokenIsValid(client: DatabricksClient, refusal?: unknown): Promise<boolean> {
  if (refusal !== undefined && isInvalidTokenError(refusal)) return false;
  if (refusal instanceof ServiceError && refusal.code === "PERMISSION_DENIED") return true;
  try {
    await client.currentUser();
    return true;
  } catch (err) {
    if (isInvalidTokenError(err) || (err instanceof ServiceError && (err.status === 401 || err.status === 403))) return false;
    // The identity call failing otherwise (network, 5xx) says nothing about the token: read the 403 as a permission.
    return true;
  }
}

/** The error for a refused token: which token, where, and the remedy (create a new one, rotate it). */
export const invalidTokenError = (host: string, which = "the Databricks token this stack uses") =>
  new ConfigurationError(`${which} is not accepted by workspace ${host}: ${DATABRICKS_TOKEN_HINT}`);

/** Throws the invalid-token error when `refusal` (a 403) came from a token the workspace does not accept. */
export async function assertTokenValid(client: DatabricksClient, refusal: unknown): Promise<void> {
  if (!(await tokenIsValid(client, refusal))) throw invalidTokenError(client.host);
}
