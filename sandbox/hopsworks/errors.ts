/**
 * Hopsworks' error shape: `{errorCode, errorMsg, usrMsg?, devMsg?}` with the HTTP status its
 * RESTCodes entry carries. Codes and messages are RESTCodes' (logicalclocks/hopsworks); where the
 * sandbox chose, the factory says so. Route handlers throw these; the server's error handler
 * turns them into responses.
 */
export class HopsworksApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    readonly errorMsg: string,
    readonly usrMsg?: string,
    readonly devMsg?: string,
    /** Extra response headers (`WWW-Authenticate` on 401). */
    readonly headers: Record<string, string> = {},
  ) {
    super(usrMsg ? `${errorMsg}: ${usrMsg}` : errorMsg);
  }

  /** The body; `devMsg` only where the site's REST log level is TEST or DEV (the default PROD leaves it out). */
  toBody(withDevMsg = false): { errorCode: number; errorMsg: string; usrMsg?: string; devMsg?: string } {
    return {
      errorCode: this.errorCode,
      errorMsg: this.errorMsg,
      ...(this.usrMsg !== undefined ? { usrMsg: this.usrMsg } : {}),
      ...(withDevMsg && this.devMsg !== undefined ? { devMsg: this.devMsg } : {}),
    };
  }
}

/** `io.hops.hopsworks.jwt.Constants.WWW_AUTHENTICATE_VALUE`. */
const WWW_AUTHENTICATE = { "WWW-Authenticate": 'Bearer realm="Cauth Realm"' };

/**
 * AuthFilter answers every refusal with 401, SecurityErrorCode EJB_ACCESS_LOCAL (200003) and the
 * reason as `errorMsg`: "Token not provided.", "Invalid token.", "Authorization method not
 * supported.", or the JWT library's verification message.
 */
export const unauthorized = (errorMsg: string) => new HopsworksApiError(401, 200003, errorMsg, undefined, undefined, WWW_AUTHENTICATE);
/** ApiKeyErrorCode KEY_NOT_FOUND. */
export const apiKeyNotFound = () => new HopsworksApiError(401, 320002, "Api key not found");
/** AuthService.login: a wrong password is UserErrorCode AUTHENTICATION_FAILURE. */
export const authenticationFailure = (usrMsg?: string) => new HopsworksApiError(401, 160008, "Authentication failed, invalid credentials", usrMsg);

/** A deployment that allows only SSO/OAuth logins (the reference: 401/160008 "Password login not allowed"). */
export const passwordLoginDisabled = () => new HopsworksApiError(401, 160008, "Authentication failed, invalid credentials", "Password login not allowed");
/** UserErrorCode ACCOUNT_BLOCKED. */
export const accountBlocked = () => new HopsworksApiError(401, 160007, "Your account has been blocked. Contact the administrator.");
/** A two-factor account logging in without `otp`: GenericErrorCode ILLEGAL_STATE (400/120002). */
export const secondFactorRequired = () => new HopsworksApiError(400, 120002, "A runtime error occurred.", "Second factor required");

/** GenericErrorCode ILLEGAL_ARGUMENT: what an IllegalArgumentException becomes. */
export const illegalArgument = (usrMsg: string) => new HopsworksApiError(422, 120001, "An argument was not provided or it was malformed.", usrMsg);
/** GenericErrorCode WEBAPPLICATION: Jersey's own refusals (no such route, unsupported media type, ...). */
export const webApplication = (status: number, reason: string) =>
  new HopsworksApiError(status, 120004, "Web application exception occurred", `HTTP ${status} ${reason}`);
export const unknownError = (devMsg?: string) => new HopsworksApiError(500, 120000, "A generic error occurred.", undefined, devMsg);

/**
 * ProjectErrorCode PROJECT_NOT_FOUND. RESTCodes gives it 400, but ProjectAuthFilter (which answers
 * every project-scoped call first) aborts with 404 and this code.
 */
export const projectNotFound = () => new HopsworksApiError(404, 150004, "Project wasn't found.");
/** ProjectAuthFilter: the caller has no role in the project (UserErrorCode NO_ROLE_FOUND, 403). */
export const noRoleFound = () => new HopsworksApiError(403, 160000, "No valid role found for this user");

export const userDoesNotExist = (usrMsg?: string) => new HopsworksApiError(400, 160001, "User does not exist.", usrMsg);
export const roleNotFound = (usrMsg: string) => new HopsworksApiError(400, 160053, "Role not found", usrMsg);
/** SecretsController: a missing secret, or an empty name or value, is SECRET_EMPTY (404). */
export const secretEmpty = (usrMsg: string, devMsg?: string) => new HopsworksApiError(404, 160048, "Secret is empty", usrMsg, devMsg);
export const secretExists = (devMsg: string) => new HopsworksApiError(409, 160049, "Same Secret already exists", "Secret already exists", devMsg);

export const instanceAlreadyRegistered = (instance: string) =>
  new HopsworksApiError(409, 270122, "Databricks Instance already registered", `Instance URL: ${instance}`);
export const instanceNotRegistered = (instance: string) =>
  new HopsworksApiError(404, 270123, "Databricks Instance doesn't exists", `Instance URL: ${instance}`);
export const cannotStartCluster = (usrMsg?: string) => new HopsworksApiError(500, 270124, "Could not start Databricks cluster", usrMsg);
/**
 * FeaturestoreErrorCode DATABRICKS_ERROR. The real client puts Databricks' whole raw response body
 * in `usrMsg` (JSON text, e.g. `{"error_code":"INVALID_STATE","message":"…"}`); `devMsg` carries
 * the exchange, sent only when the site's log level allows it.
 */
export const databricksError = (usrMsg: string, devMsg?: string) => new HopsworksApiError(500, 270125, "Error communicating with Databricks", usrMsg, devMsg);
