import { randomBytes } from "crypto";
import { hashApiKey, hashPassword } from "./instance";
import type { InstanceData, ProjectMember, ProjectRecord } from "./model";
import type { HopsworksInstanceSeed } from "./seed";

/** Hopsworks' first user (the admin) is uid 10000; seeded users take the next ones (chosen). */
const FIRST_UID = 10000;
/** Project ids the seed leaves out are assigned from 119 upward. */
const FIRST_PROJECT_ID = 119;

/**
 * A cluster's state before any request: its users, projects and members, no secrets or
 * registrations yet, and a fresh JWT signing key. A bad seed (an owner or member who is not a
 * user, a duplicate name or id) fails startup loudly.
 */
export function newInstanceData(seed: HopsworksInstanceSeed, now: number): InstanceData {
  const fail = (what: string): never => {
    throw new Error(`hopsworks seed for ${seed.host}: ${what}`);
  };
  const users = seed.users.map((u, i) => {
    const salt = randomBytes(16).toString("hex");
    return {
      uid: FIRST_UID + 1 + i,
      email: u.email,
      username: u.username,
      firstname: u.firstname,
      lastname: u.lastname,
      passwordSalt: salt,
      passwordHash: hashPassword(salt, u.password),
      apiKeys: u.apiKeys.map((k) => ({ name: k.name, hash: hashApiKey(k.value) })),
      twoFactor: u.twoFactor,
      blocked: u.blocked,
    };
  });
  for (const key of ["email", "username"] as const) {
    const seen = new Set<string>();
    for (const u of users) {
      if (seen.has(u[key])) fail(`duplicate user ${key} '${u[key]}'`);
      seen.add(u[key]);
    }
  }
  const isUser = (email: string) => users.some((u) => u.email === email);

  const taken = new Set(seed.projects.flatMap((p) => (p.id !== undefined ? [p.id] : [])));
  let lastProjectId = FIRST_PROJECT_ID - 1;
  const projects: ProjectRecord[] = [];
  for (const p of seed.projects) {
    if (projects.some((q) => q.name === p.name)) fail(`duplicate project '${p.name}'`);
    if (!isUser(p.owner)) fail(`project '${p.name}': owner '${p.owner}' is not a seeded user`);
    let id = p.id;
    if (id === undefined) {
      do lastProjectId += 1;
      while (taken.has(lastProjectId));
      id = lastProjectId;
      taken.add(id);
    } else if (projects.some((q) => q.id === id)) {
      fail(`duplicate project id ${id}`);
    }
    const members: ProjectMember[] = [{ email: p.owner, role: "Data owner", addedAt: now }];
    for (const m of p.members) {
      if (!isUser(m.email)) fail(`project '${p.name}': member '${m.email}' is not a seeded user`);
      // The owner stays a Data owner whatever the member list says.
      if (!members.some((x) => x.email === m.email)) members.push({ email: m.email, role: m.role, addedAt: now });
    }
    projects.push({ id, name: p.name, ownerEmail: p.owner, created: now, members });
  }

  return {
    host: seed.host,
    version: seed.version,
    settings: siteSettingsOf(seed),
    jwtSecret: randomBytes(32).toString("base64"),
    users,
    projects,
    secrets: [],
    registrations: [],
    certPasswords: {},
    lastIds: { user: FIRST_UID + users.length, project: Math.max(FIRST_PROJECT_ID - 1, ...projects.map((p) => p.id)) },
  };
}

/** The seed's site settings (also applied to a restored state, so a seed change takes effect on restart). */
export const siteSettingsOf = (seed: HopsworksInstanceSeed) => ({
  internalAddress: seed.internalAddress,
  metastoreAddress: seed.metastoreAddress,
  restLogLevel: seed.restLogLevel,
  passwordLogin: seed.passwordLogin,
  jwtLifetimeMs: seed.jwtLifetimeMs,
  jwtLeewaySeconds: seed.jwtLeewaySeconds,
  configureDurationMs: seed.configureDurationMs,
});
