/**
 * Databricks' error shape: `{"error_code": "...", "message": "..."}` with the HTTP status
 * the real REST API uses for that code. Route handlers throw these; the workspace server's
 * error handler turns them into responses.
 */
export class DatabricksApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }

  toBody(): { error_code: string; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

export const invalidParameter = (message: string) => new DatabricksApiError(400, "INVALID_PARAMETER_VALUE", message);
export const invalidState = (message: string) => new DatabricksApiError(400, "INVALID_STATE", message);
export const notFound = (message: string) => new DatabricksApiError(404, "RESOURCE_DOES_NOT_EXIST", message);
export const alreadyExists = (message: string) => new DatabricksApiError(409, "RESOURCE_ALREADY_EXISTS", message);
export const permissionDenied = (message: string) => new DatabricksApiError(403, "PERMISSION_DENIED", message);
export const unauthenticated = (message = "Invalid access token.") =>
  new DatabricksApiError(401, "UNAUTHENTICATED", message);
