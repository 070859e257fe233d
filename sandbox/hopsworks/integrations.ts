import type { FastifyInstance, FastifyRequest } from "fastify";
import { answer } from "../common/answer";
import { z } from "zod";
import { authConfig } from "./auth";
import { clusterView, integrationHref } from "./clusters";
import { configureCluster } from "./configure";
import type { DatabricksClient } from "./databricks-client";
import { illegalArgument, instanceAlreadyRegistered, instanceNotRegistered, roleNotFound, secretEmpty, secretExists, userDoesNotExist } from "./errors";
import type { HopsworksInstance } from "./instance";
import type { HopsworksUser } from "./model";
import { requireMember } from "./projects";

/** The caller's PAT for a workspace is their PRIVATE secret `db_<instance>` (DatabricksController.TOKEN_PREFIX). */
export const tokenSecretName = (instance: string) => `db_${instance}`;

const BASE = "/project/:projectId/integrations/databricks";
type Params = { projectId: string; instance: string; clusterId: string };

const registerBody = z.object({ apiKey: z.string().optional() }).passthrough();

/**
 * The Databricks integration (DatabricksResource), JWT only, for members of the project in the
 * path. Registration belongs to the user, not the project: the project only routes the call.
 */
export function integrationRoutes(app: FastifyInstance, inst: HopsworksInstance): void {
  /** The caller's stored PAT, as SecretsController.get finds it: missing is 404 SECRET_EMPTY. */
  const clientFor = (user: HopsworksUser, instance: string): DatabricksClient => {
    const secret = inst.secret(user.email, tokenSecretName(instance));
    if (!secret) {
      throw secretEmpty("Could not find Secret for user", `Could not find Secret with name ${tokenSecretName(instance)} for user ${user.username}`);
    }
    return inst.databricks.client(instance, secret.value);
  };
  const member = (req: FastifyRequest<{ Params: Partial<Params> }>) => requireMember(inst, req, { id: req.params.projectId ?? "" });

  app.get<{ Params: Params }>(BASE, authConfig("jwt"), async (req) => {
    const { project, caller } = member(req);
    const base = integrationHref(inst, project.id);
    const items = inst.registrations(caller.email).map((url) => ({ href: `${base}/${url}`, url }));
    return { href: base, count: items.length, items };
  });

  // Registering stores the PAT without trying it.
  app.post<{ Params: Params }>(`${BASE}/:instance`, authConfig("jwt"), async (req) => {
    const { project, caller } = member(req);
    const { instance } = req.params;
    const body = registerBody.safeParse(req.body ?? {});
    if (!body.success) throw illegalArgument(body.error.issues[0]?.message ?? "Invalid body");
    if (inst.registration(caller.email, instance)) throw instanceAlreadyRegistered(instance);
    const apiKey = body.data.apiKey ?? "";
    if (apiKey === "") throw secretEmpty("Secret value is either null or empty", "Secret name or value is empty or null");
    const name = tokenSecretName(instance);
    if (inst.secret(caller.email, name)) throw secretExists(`Secret with name ${name} already exists for user ${caller.username}`);
    const now = inst.clock.now();
    inst.data.secrets.push({ ownerEmail: caller.email, name, value: apiKey, visibility: "PRIVATE", projectIdScope: null, addedOn: now });
    inst.data.registrations.push({ email: caller.email, instance, registeredAt: now });
    inst.save();
    return { href: `${integrationHref(inst, project.id)}/${instance}`, url: instance };
  });

  // The secret goes first and quietly (absent is fine); then a missing registration is 404.
  app.delete<{ Params: Params }>(`${BASE}/:instance`, authConfig("jwt"), async (req) => {
    const { caller } = member(req);
    const { instance } = req.params;
    inst.deleteSecret(caller.email, tokenSecretName(instance));
    const registration = inst.registration(caller.email, instance);
    if (!registration) throw instanceNotRegistered(instance);
    inst.data.registrations = inst.data.registrations.filter((r) => r !== registration);
    inst.save();
    return answer(200);
  });

  // 2.0 `clusters/list` answers every cluster at once, and nothing at all when there is none.
  app.get<{ Params: Params }>(`${BASE}/:instance`, authConfig("jwt"), async (req) => {
    const { project, caller } = member(req);
    const { instance } = req.params;
    const listed = await clientFor(caller, instance).get("/clusters/list");
    const clusters = Array.isArray(listed.clusters) ? (listed.clusters as Record<string, unknown>[]) : [];
    const items = clusters.map((c) => clusterView(inst, project.id, instance, c, true));
    return { href: `${integrationHref(inst, project.id)}/${instance}`, count: items.length, items };
  });

  app.get<{ Params: Params }>(`${BASE}/:instance/clusters/:clusterId`, authConfig("jwt"), async (req) => {
    const { project, caller } = member(req);
    const { instance, clusterId } = req.params;
    const cluster = await clientFor(caller, instance).get(`/clusters/get?cluster_id=${encodeURIComponent(clusterId)}`);
    return clusterView(inst, project.id, instance, cluster, false);
  });

  // The requesting user's PAT does the work; certificates and tags are the target user's.
  app.post<{ Params: Params; Querystring: { username?: string } }>(`${BASE}/:instance/clusters/:clusterId`, authConfig("jwt"), async (req) => {
    const { project, caller, role } = member(req);
    const { instance, clusterId } = req.params;
    const username = req.query.username;
    let target = caller;
    if (username !== undefined && username !== "") {
      const named = inst.userByUsername(username);
      if (!named) throw userDoesNotExist(`Cannot find user with username: ${username}`);
      if (!inst.roleOf(project, named.email)) throw roleNotFound(`Cannot find role for user: ${username} in project: ${project.name}`);
      target = named;
    }
    // An IllegalArgumentException in the real resource, hence 422 ILLEGAL_ARGUMENT.
    if (target !== caller && role !== "Data owner") throw illegalArgument("Only Data owners are allowed to configure clusters for team members");
    const cluster = await configureCluster(inst, clientFor(caller, instance), clusterId, project, target);
    return clusterView(inst, project.id, instance, cluster, false);
  });
}
