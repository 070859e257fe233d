import * as fs from "fs";
import { READ_ONLY_CLUSTER_FIELDS } from "../databricks/clusters-read-only";
import { sandboxConfigSchema, type SandboxConfig } from "../index";
import { CliError, usageError } from "./errors";
import type { SandboxRecord, ServiceName } from "./home";
import { ServiceClient } from "./http";

/**
 * Clients for the running services, logged in with the credentials the seed gives its admins
 * (the same ones a person would type into each console). Nothing here reads state files.
 */
export class Session {
  readonly config: SandboxConfig;

  constructor(readonly record: SandboxRecord) {
    this.config = sandboxConfigSchema.parse(JSON.parse(fs.readFileSync(record.configFile, "utf8")));
  }

  url(service: ServiceName, host: string): string {
    const url = this.record.services[service]?.[host];
    if (!url) throw new CliError(`${service}: ${host} is not served by the running sandbox (see: status)`);
    return url;
  }

  /** Every seeded workspace, or the one `--workspace` names. */
  workspaces(host?: string): Workspace[] {
    const all = this.config.databricks.workspaces;
    if (host === undefined) return all.map((w) => new Workspace(this, w));
    const seed = all.find((w) => w.host === host);
    if (!seed) throw usageError(`--workspace: no workspace ${host} in the seed (known: ${all.map((w) => w.host).join(", ")})`);
    return [new Workspace(this, seed)];
  }

  /** `--workspace`, else the first seeded one. */
  workspace(host?: string): Workspace {
    const ws = this.workspaces(host)[0];
    if (!ws) throw new CliError("databricks: the seed has no workspace");
    return ws;
  }

  hopsworks(): HopsworksConsole[] {
    return this.config.hopsworks.instances.map((i) => new HopsworksConsole(this, i));
  }

  qualytics(): QualyticsConsole[] {
    return this.config.qualytics.instances.map((i) => new QualyticsConsole(this, i));
  }
}

type WorkspaceSeed = SandboxConfig["databricks"]["workspaces"][number];
type HopsworksSeed = SandboxConfig["hopsworks"]["instances"][number];
type QualyticsSeed = SandboxConfig["qualytics"]["instances"][number];

export interface WorkspaceUser {
  userName: string;
  admin: boolean;
  /** Signed in with the user's first seeded token. */
  client: ServiceClient;
  seededToken: string;
}

/** Left out when a `clusters/get` answer is sent back to `clusters/edit`: all Databricks sets but the id edit needs. */
const EDIT_DROPS = READ_ONLY_CLUSTER_FIELDS.filter((field) => field !== "cluster_id");

export type Cluster = Record<string, any> & { cluster_id: string };

export class Workspace {
  readonly host: string;
  readonly url: string;
  /** Seeded users that have a token, admins first. */
  readonly users: WorkspaceUser[];

  constructor(session: Session, seed: WorkspaceSeed) {
    this.host = seed.host;
    this.url = session.url("databricks", seed.host);
    const base = new ServiceClient(`databricks ${seed.host}`, this.url);
    this.users = seed.users
      .filter((u) => u.tokens.length > 0)
      .map((u) => ({ userName: u.userName, admin: u.admin, seededToken: u.tokens[0]!.value, client: base.withAuthorization(`Bearer ${u.tokens[0]!.value}`) }))
      .sort((a, b) => Number(b.admin) - Number(a.admin));
  }

  get admin(): WorkspaceUser {
    const admin = this.users.find((u) => u.admin);
    if (!admin) throw new CliError(`databricks ${this.host}: the seed has no admin with a token`);
    return admin;
  }

  async clusters(): Promise<Cluster[]> {
    return ((await this.admin.client.get("/api/2.0/clusters/list")).clusters ?? []) as Cluster[];
  }

  async cluster(id: string): Promise<Cluster> {
    return this.admin.client.get(`/api/2.0/clusters/get?cluster_id=${encodeURIComponent(id)}`);
  }

  async libraries(id: string): Promise<{ library: Record<string, any>; status: string }[]> {
    return (await this.admin.client.get(`/api/2.0/libraries/cluster-status?cluster_id=${encodeURIComponent(id)}`)).library_statuses ?? [];
  }

  /**
   * `clusters/edit` with the cluster's spec as read, changed by `change`: edit takes the full spec,
   * so this is what the console's edit form sends. A cluster between states cannot be edited: wait
   * for RUNNING or TERMINATED first, as a person would.
   */
  async editCluster(id: string, change: (spec: Cluster) => void, say: (line: string) => void): Promise<Cluster> {
    const cluster = await this.settled(id, say);
    const spec: Cluster = { ...cluster };
    for (const field of EDIT_DROPS) delete spec[field];
    change(spec);
    await this.admin.client.post("/api/2.0/clusters/edit", spec);
    return spec;
  }

  /** Polls `clusters/get` until the cluster is RUNNING or TERMINATED (sandbox time is scaled: seconds). */
  async settled(id: string, say: (line: string) => void, timeoutMs = 120_000): Promise<Cluster> {
    const deadline = Date.now() + timeoutMs;
    let told = false;
    for (;;) {
      const cluster = await this.cluster(id);
      if (cluster.state === "RUNNING" || cluster.state === "TERMINATED") return cluster;
      if (Date.now() > deadline) throw new CliError(`databricks ${this.host}: cluster ${id} is still ${cluster.state}`);
      if (!told) say(`waiting for cluster ${id} (${cluster.state}) to settle...`);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

const HOPSWORKS_API = "/hopsworks-api/api";

export interface HopsworksUserSeed {
  email: string;
  password: string;
}

/** One Hopsworks cluster, used as its users would: log in with email and password, get a JWT. */
export class HopsworksConsole {
  readonly host: string;
  readonly url: string;
  private readonly base: ServiceClient;
  private readonly sessions = new Map<string, ServiceClient>();

  constructor(
    session: Session,
    readonly seed: HopsworksSeed,
  ) {
    this.host = seed.host;
    this.url = session.url("hopsworks", seed.host);
    this.base = new ServiceClient(`hopsworks ${seed.host}`, `${this.url}${HOPSWORKS_API}`);
  }

  user(email: string): HopsworksUserSeed {
    const user = this.seed.users.find((u) => u.email === email);
    if (!user) throw usageError(`--user: no Hopsworks user ${email} in the seed (known: ${this.seed.users.map((u) => u.email).join(", ")})`);
    return user;
  }

  /** The release (`GET /variables/versions`, no login): its family decides what Configure does. */
  async version(): Promise<string | null> {
    const reply = await this.base.call("GET", "/variables/versions");
    const list = Array.isArray(reply.body) ? (reply.body as { software?: string; version?: string }[]) : [];
    return list.find((v) => v.software === "hopsworks")?.version ?? null;
  }

  /** `POST /auth/login` (form); the JWT comes back in the Authorization header. */
  async login(email: string): Promise<ServiceClient> {
    const known = this.sessions.get(email);
    if (known) return known;
    const { password } = this.user(email);
    const reply = await this.base.call("POST", "/auth/login", { form: { email, password } });
    const jwt = reply.headers.get("authorization");
    if (!jwt) throw new CliError(`hopsworks ${this.host}: POST /auth/login answered no Authorization header`);
    const client = this.base.withAuthorization(jwt);
    this.sessions.set(email, client);
    return client;
  }

  /** Seeded projects the user belongs to (owner or member), by the seed. */
  projectsOf(email: string): string[] {
    return this.seed.projects.filter((p) => p.owner === email || p.members.some((m) => m.email === email)).map((p) => p.name);
  }

  /** The id of a project the user can route integration calls through (registration is per user). */
  async projectIdFor(email: string): Promise<number> {
    const client = await this.login(email);
    for (const name of this.projectsOf(email)) {
      const reply = await client.call("GET", `/project/getProjectInfo/${encodeURIComponent(name)}`, { accept: [403, 404] });
      if (reply.status === 200) return reply.body.projectId as number;
    }
    throw new CliError(`hopsworks ${this.host}: ${email} is a member of no project, so cannot reach the Databricks integration`);
  }
}

/** One Qualytics deployment, with the seeded Admin's API token. */
export class QualyticsConsole {
  readonly host: string;
  readonly url: string;
  readonly client: ServiceClient;

  constructor(session: Session, seed: QualyticsSeed) {
    this.host = seed.host;
    this.url = session.url("qualytics", seed.host);
    const admin = seed.users.find((u) => u.role === "Admin" && u.tokens.length > 0);
    if (!admin) throw new CliError(`qualytics ${seed.host}: the seed has no Admin with a token`);
    this.client = new ServiceClient(`qualytics ${seed.host}`, this.url, `Bearer ${admin.tokens[0]!.value}`);
  }

  /** Sources and enrichment datastores (the list hides enrichment ones unless asked), all pages. */
  async datastores(): Promise<Record<string, any>[]> {
    const all: Record<string, any>[] = [];
    for (const enrichmentOnly of [false, true]) {
      for (let page = 1; ; page++) {
        const body = await this.client.get(`/api/datastores?enrichment_only=${enrichmentOnly}&size=100&page=${page}`);
        all.push(...(body.items as Record<string, any>[]));
        if (page >= body.pages) break;
      }
    }
    return all.sort((a, b) => a.id - b.id);
  }
}
