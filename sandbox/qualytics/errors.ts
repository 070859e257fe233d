/**
 * Qualytics is a FastAPI service: errors are `{"detail": "..."}` with the HTTP status, and
 * request validation failures are 422 with `detail` as a list of pydantic errors. Route handlers
 * throw these; the instance server's error handler turns them into responses.
 */
export class QualyticsApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    /** Extra response headers (e.g. `WWW-Authenticate` on 401). */
    readonly headers: Record<string, string> = {},
    /** The key the text goes under: FastAPI's `detail`, or `message` where the guide shows it. */
    readonly key: "detail" | "message" = "detail",
  ) {
    super(detail);
  }

  toBody(): Record<string, string> {
    return { [this.key]: this.detail };
  }
}

/** One entry of a FastAPI 422 body, as pydantic v2 reports it. */
export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/** 422 Unprocessable Entity: `{"detail": [{type, loc, msg, input}, ...]}`. */
export class RequestValidationError extends Error {
  readonly status = 422;

  constructor(readonly issues: ValidationIssue[]) {
    super(issues.map((i) => `${i.loc.join(".")}: ${i.msg}`).join("; "));
  }

  toBody(): { detail: ValidationIssue[] } {
    return { detail: this.issues };
  }
}

export const badRequest = (detail: string) => new QualyticsApiError(400, detail);
export const forbidden = (detail: string) => new QualyticsApiError(403, detail);
export const notFound = (detail: string) => new QualyticsApiError(404, detail);
export const conflict = (detail: string) => new QualyticsApiError(409, detail);

/** FastAPI's HTTPBearer answer, and what the token check answers for an unknown token. */
export const notAuthenticated = () => new QualyticsApiError(401, "Not authenticated", { "WWW-Authenticate": "Bearer" });
export const invalidCredentials = () => new QualyticsApiError(401, "Could not validate credentials", { "WWW-Authenticate": "Bearer" });

export const tokenExpired = () => new QualyticsApiError(401, "Signature has expired", { "WWW-Authenticate": "Bearer" });

/** The real service words missing records as `<Kind> id: <id> not found`. */
export const datastoreNotFound = (id: number) => notFound(`Datastore id: ${id} not found`);
export const connectionNotFound = (id: number) => notFound(`Connection id: ${id} not found`);
export const operationNotFound = (id: number) => notFound(`Operation id: ${id} not found`);
