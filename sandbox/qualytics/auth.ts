import type { FastifyInstance, FastifyRequest } from "fastify";
import { CONTROL_PREFIX } from "../common/control";
import { invalidCredentials, notAuthenticated } from "./errors";
import type { AuthenticatedRequest, QualyticsInstance } from "./instance";

/**
 * `Authorization: Bearer <token>` on every API route. No header (or another scheme) is FastAPI
 * HTTPBearer's 401 `Not authenticated`; an unknown token is 401 `Could not validate
 * credentials` (the real service validates JWTs; the exact wording of its refusal is
 * unconfirmed). Both carry `WWW-Authenticate: Bearer`.
 */
export function installBearerAuth(app: FastifyInstance, inst: QualyticsInstance): void {
  app.addHook("preHandler", async (req: FastifyRequest) => {
    if (req.url.startsWith(CONTROL_PREFIX)) return;
    // No such route: FastAPI's 404 comes before any dependency, auth included.
    if (req.routeOptions.url === undefined) return;
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
    if (!match) throw notAuthenticated();
    const user = inst.userByToken(match[1]!.trim());
    if (!user) throw invalidCredentials();
    (req as AuthenticatedRequest).qualyticsUser = user;
  });
}
