import type { FastifyInstance, FastifyRequest } from "fastify";
import { authConfig } from "./auth";
import { noRoleFound, projectNotFound } from "./errors";
import type { HopsworksInstance } from "./instance";
import type { HopsworksUser, ProjectRecord } from "./model";
import type { ProjectRole } from "./seed";
import { projectView, userView } from "./views";

export interface ProjectAccess {
  project: ProjectRecord;
  caller: HopsworksUser;
  role: ProjectRole;
}

/**
 * ProjectAuthFilter, for routes that allow both roles: an unknown project (by id, or by name) is
 * 404 PROJECT_NOT_FOUND; a caller with no role in it is 403 NO_ROLE_FOUND (160000). A role the
 * route does not allow would be 403 PROJECT_ROLE_FORBIDDEN (150068), but every route the sandbox
 * serves allows both roles.
 */
export function requireMember(inst: HopsworksInstance, req: FastifyRequest, ref: { id: string } | { name: string }): ProjectAccess {
  const project = "id" in ref ? (/^\d+$/.test(ref.id) ? inst.projectById(Number(ref.id)) : undefined) : inst.findProject(ref.name);
  if (!project) throw projectNotFound();
  const caller = inst.caller(req);
  const role = inst.roleOf(project, caller.email);
  if (!role) throw noRoleFound();
  return { project, caller, role };
}

/** Project lookup by name and the member list, with a JWT or an API key. */
export function projectRoutes(app: FastifyInstance, inst: HopsworksInstance): void {
  app.get<{ Params: { projectName: string } }>("/project/getProjectInfo/:projectName", authConfig("jwtOrApiKey"), async (req) => {
    const { project } = requireMember(inst, req, { name: req.params.projectName });
    return projectView(project);
  });

  // ProjectMembersService answers a bare JSON array of ProjectTeam entries.
  app.get<{ Params: { projectId: string } }>("/project/:projectId/projectMembers", authConfig("jwtOrApiKey"), async (req) => {
    const { project } = requireMember(inst, req, { id: req.params.projectId });
    return project.members.flatMap((m) => {
      const user = inst.userByEmail(m.email);
      if (!user) return [];
      const { href: _href, ...shown } = userView(inst, user);
      return [
        { projectTeamPK: { projectId: project.id, teamMember: user.email }, user: shown, teamRole: m.role, timestamp: new Date(m.addedAt).toISOString() },
      ];
    });
  });
}
