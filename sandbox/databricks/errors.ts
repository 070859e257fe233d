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
export const unauthenticated = (message = "Invalid access token.") => new DatabricksApiError(401, "UNAUTHENTICATED", message);

/**
 * How a workspace answers a token it does not accept (unknown, expired or revoked): 403, not
 * 401, with a *numeric* error_code and the reason in `X-Databricks-Reason-Phrase`
 * (databricks-sdk-go#917); older front ends send a Jetty HTML page instead
 * (terraform-provider-databricks#66). Only a request with no credential at all is 401.
 */
export class InvalidTokenError extends Error {
  readonly status = 403;
  constructor(
    readonly form: "json" | "html",
    readonly path: string,
    message = "Invalid access token.",
  ) {
    super(message);
  }

  get headers(): Record<string, string> {
    return { "x-databricks-reason-phrase": this.message };
  }

  get contentType(): string {
    return this.form === "html" ? "text/html;charset=utf-8" : "application/json";
  }

  body(): string {
    if (this.form === "json") return JSON.stringify({ error_code: 403, message: this.message });
    return (
      `<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>\n<title>Error 403 ${this.message}</title>\n</head>\n` +
      `<body><h2>HTTP ERROR 403</h2>\n<p>Problem accessing ${this.path}. Reason:\n<pre>    ${this.message}</pre></p>\n</body>\n</html>\n`
    );
  }
}
