import type { HopsworksInstance } from "./instance";
import type { HopsworksUser, ProjectRecord, SecretRecord } from "./model";

/** How Hopsworks shows a user inside other resources (UsersBuilder). */
export const userView = (inst: HopsworksInstance, user: HopsworksUser) => ({
  href: `${inst.apiBase}/users/${user.uid}`,
  username: user.username,
  email: user.email,
  firstname: user.firstname,
  lastname: user.lastname,
});

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * ProjectDTO. `owner` is the owner's email (chosen: ProjectDTO carries the owner as an email
 * string; the sandbox sends nothing it cannot model, like services or quotas).
 */
export const projectView = (project: ProjectRecord) => ({
  projectId: project.id,
  projectName: project.name,
  owner: project.ownerEmail,
  description: "",
  created: iso(project.created),
});

/** A secret as listed (never its value) or as read back (with it). */
export const secretView = (secret: SecretRecord, withValue: boolean) => ({
  name: secret.name,
  ...(withValue ? { secret: secret.value } : {}),
  visibility: secret.visibility,
  ...(secret.projectIdScope !== null ? { projectIdScope: secret.projectIdScope } : {}),
  addedOn: iso(secret.addedOn),
});
