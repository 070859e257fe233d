import type { FastifyInstance } from "fastify";
import { answer } from "../common/answer";
import { z } from "zod";
import { authConfig } from "./auth";
import { illegalArgument, secretEmpty, secretExists } from "./errors";
import type { HopsworksInstance } from "./instance";
import { secretView } from "./views";

const secretBody = z.object({
  name: z.string().optional(),
  secret: z.string().optional(),
  visibility: z.enum(["PRIVATE", "PROJECT"]).default("PRIVATE"),
  projectIdScope: z.number().int().nullable().optional(),
});

/**
 * `/users/profile` and the caller's secrets (`/users/secrets`), with a JWT or an API key. Secrets
 * follow SecretsController: a missing secret, or an empty name or value, is 404 SECRET_EMPTY;
 * deleting a secret that is not there succeeds ("It does NOT throw an exception if the secret does
 * not exist").
 */
export function userRoutes(app: FastifyInstance, inst: HopsworksInstance): void {
  app.get("/users/profile", authConfig("jwtOrApiKey"), async (req) => {
    const user = inst.caller(req);
    return { id: user.uid, username: user.username, email: user.email, firstname: user.firstname, lastname: user.lastname };
  });

  app.get("/users/secrets", authConfig("jwtOrApiKey"), async (req) => {
    const user = inst.caller(req);
    const items = inst.data.secrets.filter((s) => s.ownerEmail === user.email).map((s) => secretView(s, false));
    return { href: `${inst.apiBase}/users/secrets`, count: items.length, items };
  });

  app.post("/users/secrets", authConfig("jwtOrApiKey"), async (req) => {
    const user = inst.caller(req);
    const parsed = secretBody.safeParse(req.body ?? {});
    if (!parsed.success) throw illegalArgument(parsed.error.issues[0]?.message ?? "Invalid secret");
    const { name, secret, visibility, projectIdScope } = parsed.data;
    if (!name || !secret) throw secretEmpty("Secret value is either null or empty", "Secret name or value is empty or null");
    if (visibility === "PROJECT" && (projectIdScope === undefined || projectIdScope === null)) {
      throw secretEmpty("Secret visibility is PROJECT but there is not Project ID scope", `Project scope for shared secret ${name} is null`);
    }
    if (inst.secret(user.email, name)) throw secretExists(`Secret with name ${name} already exists for user ${user.username}`);
    inst.data.secrets.push({
      ownerEmail: user.email,
      name,
      value: secret,
      visibility,
      projectIdScope: visibility === "PROJECT" ? projectIdScope! : null,
      addedOn: inst.clock.now(),
    });
    inst.save();
    // The real answer's body is not documented; the sandbox says what it did (chosen).
    return { successMessage: "Added new secret" };
  });

  app.get<{ Params: { name: string } }>("/users/secrets/:name", authConfig("jwtOrApiKey"), async (req) => {
    const user = inst.caller(req);
    const secret = inst.secret(user.email, req.params.name);
    if (!secret) throw secretEmpty("Could not find Secret for user", `Could not find Secret with name ${req.params.name} for user ${user.username}`);
    return { href: `${inst.apiBase}/users/secrets/${encodeURIComponent(secret.name)}`, count: 1, items: [secretView(secret, true)] };
  });

  app.delete<{ Params: { name: string } }>("/users/secrets/:name", authConfig("jwtOrApiKey"), async (req) => {
    const user = inst.caller(req);
    inst.deleteSecret(user.email, req.params.name);
    return answer(200);
  });
}
