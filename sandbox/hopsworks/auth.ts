import { randomBytes } from "crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { answer } from "../common/answer";
import { CONTROL_PREFIX } from "../common/control";
import { accountBlocked, apiKeyNotFound, authenticationFailure, illegalArgument, passwordLoginDisabled, secondFactorRequired, unauthorized } from "./errors";
import type { HopsworksInstance } from "./instance";

/**
 * How a route authenticates, set in its `config.auth`: `jwt` for routes annotated only
 * `@JWTRequired` (the Databricks integration), `jwtOrApiKey` for routes that also carry
 * `@ApiKeyRequired` (profile, project lookup, members, secrets), `none` for the login itself.
 */
export type AuthMode = "none" | "jwt" | "jwtOrApiKey";

export const authConfig = (auth: AuthMode) => ({ config: { auth } });

const API_KEY = /^ApiKey\s+(.+)$/;
const BEARER = /^Bearer\s+(.+)$/;

/**
 * AuthFilter (JWT) and ApiKeyFilter in front of every API route, before the body is read. No
 * header: "Token not provided."; an ApiKey where only a JWT is accepted: "Authorization method
 * not supported."; any other scheme: "Invalid token." (all 401, errorCode 200003). An unknown API
 * key is ApiKeyFilter's 401 KEY_NOT_FOUND.
 */
export function installAuth(app: FastifyInstance, inst: HopsworksInstance): void {
  app.addHook("onRequest", async (req: FastifyRequest) => {
    if (req.url.startsWith(CONTROL_PREFIX)) return;
    const mode = (req.routeOptions.config as { auth?: AuthMode } | undefined)?.auth;
    // No such route (Jersey's 404 comes first), or a route that needs no caller.
    if (req.routeOptions.url === undefined || mode === undefined || mode === "none") return;
    const header = req.headers.authorization;
    if (header === undefined || header === "") throw unauthorized("Token not provided.");
    const apiKey = API_KEY.exec(header);
    if (apiKey) {
      if (mode !== "jwtOrApiKey") throw unauthorized("Authorization method not supported.");
      const user = inst.userByApiKey(apiKey[1]!.trim());
      if (!user) throw apiKeyNotFound();
      inst.authenticate(req, user);
      return;
    }
    const bearer = BEARER.exec(header);
    if (!bearer) throw unauthorized("Invalid token.");
    inst.authenticate(req, inst.userByToken(bearer[1]!.trim()));
  });
}

/**
 * `POST /auth/login` with form fields `email`, `password` and, for two-factor accounts, `otp`
 * (any value: the sandbox keeps no TOTP secret). A site without password login answers 401/160008
 * "Password login not allowed"; a blocked account 401/160007. 200 answers the JWT in the `Authorization` response header and
 * `{sessionID, data: <email>}` in the body, as AuthService does.
 */
export function loginRoutes(app: FastifyInstance, inst: HopsworksInstance): void {
  app.post("/auth/login", authConfig("none"), async (req) => {
    // @FormParam only: a JSON body carries no form fields.
    const form = isForm(req) && req.body && typeof req.body === "object" ? (req.body as Record<string, string>) : {};
    const email = form.email ?? "";
    const password = form.password ?? "";
    if (inst.settings.passwordLogin === false) throw passwordLoginDisabled();
    if (email === "") throw illegalArgument("Email was not provided");
    if (password === "") throw illegalArgument("Password can not be empty.");
    const user = inst.userByEmail(email);
    // The real service throws a LoginException here; how it is mapped is unconfirmed, the
    // sandbox answers like a wrong password (and says why in usrMsg).
    if (!user) throw authenticationFailure("Unrecognized email address. Have you registered yet?");
    if (user.blocked) throw accountBlocked();
    if (!inst.passwordMatches(user, password)) throw authenticationFailure();
    if (user.twoFactor && (form.otp ?? "") === "") throw secondFactorRequired();
    const token = inst.issueToken(user.email);
    return answer(200, { sessionID: randomBytes(16).toString("hex"), data: user.email }, { Authorization: `Bearer ${token}` });
  });
}

const isForm = (req: FastifyRequest) => (req.headers["content-type"] ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded");

/** `GET /variables/versions` (VariablesService, @JWTNotRequired): how a client tells which release it talks to. */
export function versionRoutes(app: FastifyInstance, inst: HopsworksInstance): void {
  app.get("/variables/versions", authConfig("none"), async () =>
    [
      { software: "hopsworks", version: inst.version },
      { software: "hive", version: "3.0.0.10" },
    ].sort((a, b) => a.software.localeCompare(b.software)),
  );
}
