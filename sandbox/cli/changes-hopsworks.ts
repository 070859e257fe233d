import type { ChangeContext, ChangeResult, NamedChange } from "./changes";
import { CliError, usageError } from "./errors";
import type { HopsworksConsole, Workspace } from "./services";

const DEFAULT_USER = "platform-admin@example.com";
const userOption = { name: "user", arg: "email", help: `Hopsworks user whose registration to change (default: ${DEFAULT_USER}, or the only user with one)` };
const secretPath = (workspace: string) => `/users/secrets/db_${encodeURIComponent(workspace)}`;

interface Registration {
  hw: HopsworksConsole;
  ws: Workspace;
  email: string;
  /** Where the integration is reached (registration is per user; the project only routes the call). */
  base: string;
}

async function registered(hw: HopsworksConsole, email: string, workspace: string): Promise<string | undefined> {
  if (hw.projectsOf(email).length === 0) return undefined;
  const projectId = await hw.projectIdFor(email);
  const base = `/project/${projectId}/integrations/databricks`;
  const list = await (await hw.login(email)).get(base);
  return ((list.items ?? []) as { url: string }[]).some((i) => i.url === workspace) ? base : undefined;
}

/** `--user`'s registration of the `--workspace`; by default the admin's, or the only one there is. */
async function targetRegistration(ctx: ChangeContext): Promise<Registration> {
  const ws = ctx.session.workspace(ctx.workspaceHost);
  const hw = ctx.session.hopsworks()[0];
  if (!hw) throw new CliError("hopsworks: the seed has no Hopsworks instance");
  const given = ctx.option("user");
  if (given !== undefined) {
    hw.user(given); // a user the seed does not know is a usage error
    const base = await registered(hw, given, ws.host);
    if (!base) throw usageError(`--user: ${given} has not registered ${ws.host} in Hopsworks ${hw.host}`);
    return { hw, ws, email: given, base };
  }
  const holders: { email: string; base: string }[] = [];
  for (const u of hw.seed.users) {
    const base = await registered(hw, u.email, ws.host);
    if (base) holders.push({ email: u.email, base });
  }
  const chosen = holders.find((h) => h.email === DEFAULT_USER) ?? (holders.length === 1 ? holders[0] : undefined);
  if (chosen) return { hw, ws, ...chosen };
  if (holders.length === 0) throw usageError(`--user: nobody has registered ${ws.host} in Hopsworks ${hw.host}`);
  throw usageError(`--user is needed: several users registered ${ws.host}: ${holders.map((h) => h.email).join(", ")}`);
}

const target = (r: Registration) => `${r.email}'s registration of ${r.ws.host} in Hopsworks ${r.hw.host}`;

/** A change to one user's registration: the registration the options name, then `act`, which says what it did. */
const registrationChange = (name: string, summary: string, act: (r: Registration) => Promise<string>): NamedChange => ({
  name,
  service: "hopsworks",
  summary,
  options: [userOption],
  async run(ctx): Promise<ChangeResult> {
    const r = await targetRegistration(ctx);
    return { target: target(r), done: [await act(r)] };
  },
});

export const hopsworksChanges: NamedChange[] = [
  registrationChange("unregister-databricks", "remove a user's registration of the Databricks workspace (and the key Hopsworks kept)", async (r) => {
    await (await r.hw.login(r.email)).call("DELETE", `${r.base}/${encodeURIComponent(r.ws.host)}`);
    return `unregistered ${r.ws.host} for ${r.email}`;
  }),
  registrationChange("change-registered-key", "register the workspace again with another valid token (remove, then add with a new key)", async (r) => {
    const client = await r.hw.login(r.email);
    const secret = await client.call("GET", secretPath(r.ws.host), { accept: [404] });
    const current: string | undefined = secret.status === 200 ? secret.body.items?.[0]?.secret : undefined;
    // The Databricks user of the same name (else the admin): its seeded token, or a new one if that is the key already.
    const dbUser = r.ws.users.find((u) => u.userName === r.email) ?? r.ws.admin;
    let key = dbUser.seededToken;
    let which = `the seeded token of ${dbUser.userName}`;
    if (key === current) {
      const made = await dbUser.client.post("/api/2.0/token/create", { comment: "Hopsworks (made in the console)" });
      key = made.token_value as string;
      which = `a new token ${String(made.token_info.token_id).slice(0, 12)} of ${dbUser.userName}`;
    }
    await client.call("DELETE", `${r.base}/${encodeURIComponent(r.ws.host)}`);
    await client.call("POST", `${r.base}/${encodeURIComponent(r.ws.host)}`, { body: { apiKey: key } });
    return `registered ${r.ws.host} again for ${r.email} with ${which} (key …${key.slice(-4)})`;
  }),
];
