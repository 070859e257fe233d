import type { FastifyInstance, FastifyRequest } from "fastify";
import { CONTROL_PREFIX } from "../common/control";
import { invalidCredentials, notAuthenticated, tokenExpired } from "./errors";
import { PUBLIC_ROUTES } from "./service-info";
import { verifyQualyticsToken } from "./tokens";
import type { QualyticsInstance } from "./instance";

/**
 * `Authorization: Bearer <token>` on every API route. No header (or another scheme) is FastAPI
 * HTTPBearer's 401 `Not authenticated`; a token that is not a JWT signed by this deployment, or
 * not one it issued, is 401 `Could not validate credentials`; an expired one is 401 `Signature
 * has expired` (PyJWT's wording; the real service's exact text is unconfirmed). All carry
 * `WWW-Authenticate: Bearer`.
 */
export function installBearerAuth(app: FastifyInstance, inst: QualyticsInstance): void {
  app.addHook("preHandler", async (req: FastifyRequest) => {
    if (req.url.startsWith(CONTROL_PREFIX)) return;
    // No such route: FastAPI's 404 comes before any dependency, auth included.
    if (req.routeOptions.url === undefined) return;
    if (PUBLIC_ROUTES.includes(req.routeOptions.url)) return;
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
    if (!match) throw notAuthenticated();
    const token = match[1]!.trim();
    // A JWT first (shape, signature, `exp` against wall-clock time), then a token this
    // deployment issued and has not revoked.
    const check = verifyQualyticsToken(inst.signingKey, token, Date.now());
    if (!check.ok) throw check.reason === "expired" ? tokenExpired() : invalidCredentials();
    const user = inst.userByToken(token);
    if (!user) throw invalidCredentials();
    inst.authenticate(req, user);
  });
}
