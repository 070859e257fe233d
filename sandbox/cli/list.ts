import { usageError } from "./errors";
import { table, timestamp } from "./format";
import { SERVICES, type ServiceName } from "./home";
import { hopsworksKeysExpected, hopsworksKeysIn, hopsworksProjectOf, initScriptDestination, libraryName, sparkConfOf } from "./hopsworks-marks";
import type { HopsworksConsole, QualyticsConsole, Session, Workspace } from "./services";

/** What `list --json` prints; the text form shows the same. */
export interface Listing {
  databricks?: WorkspaceListing[];
  hopsworks?: HopsworksListing[];
  qualytics?: QualyticsListing[];
}

export interface WorkspaceListing {
  host: string;
  url: string;
  tokens: { owner: string; id: string; comment: string; creationTime: number; expiryTime: number }[];
  clusters: {
    id: string;
    name: string;
    state: string;
    owner: string;
    hopsworksProjectId: string | null;
    /** How many of Hopsworks' Spark keys the cluster carries (of `hopsworksSparkKeysTotal`). */
    hopsworksSparkKeys: number;
    hopsworksSparkKeysTotal: number;
    /** Those keys and their values. */
    hopsworksSparkConf: Record<string, string>;
    initScripts: string[];
    libraries: { library: string; status: string }[];
  }[];
}

export interface HopsworksListing {
  host: string;
  url: string;
  /** The Hopsworks release the instance runs (`GET /variables/versions`). */
  version: string | null;
  projects: { id: number; name: string; owner: string; members: number }[];
  /** Per seeded user: the workspaces registered, and the last 4 characters of the key stored for each. */
  users: { email: string; registrations: { workspace: string; keyEnding: string | null }[]; note?: string }[];
}

export interface QualyticsListing {
  host: string;
  url: string;
  datastores: {
    id: number;
    name: string;
    type: "source" | "enrichment";
    enrichmentId: number | null;
    /** Qualytics' "Catalog" and "Database" (API fields `database` and `schema`). */
    catalog: string | null;
    database: string | null;
    description: string | null;
    connected: boolean;
    connectionId: number;
  }[];
}

export function parseServiceFilter(arg: string | undefined): ServiceName[] {
  if (arg === undefined) return [...SERVICES];
  if (!(SERVICES as readonly string[]).includes(arg)) throw usageError(`list: unknown service ${arg} (one of: ${SERVICES.join(", ")})`);
  return [arg as ServiceName];
}

export async function gatherListing(session: Session, services: ServiceName[], workspaceHost?: string): Promise<Listing> {
  const listing: Listing = {};
  if (services.includes("databricks")) listing.databricks = await Promise.all(session.workspaces(workspaceHost).map(listWorkspace));
  if (services.includes("hopsworks")) listing.hopsworks = await Promise.all(session.hopsworks().map(listHopsworks));
  if (services.includes("qualytics")) listing.qualytics = await Promise.all(session.qualytics().map(listQualytics));
  return listing;
}

async function listWorkspace(ws: Workspace): Promise<WorkspaceListing> {
  // token/list shows the caller's own tokens: ask as every seeded user (a revoked seed token is skipped).
  const tokens: WorkspaceListing["tokens"] = [];
  for (const user of ws.users) {
    const reply = await user.client.call("GET", "/api/2.0/token/list", { accept: [401, 403] });
    if (reply.status !== 200) continue;
    for (const t of reply.body.token_infos ?? []) {
      tokens.push({ owner: user.userName, id: t.token_id, comment: t.comment ?? "", creationTime: t.creation_time, expiryTime: t.expiry_time });
    }
  }
  const clusters = await Promise.all(
    (await ws.clusters()).map(async (c) => {
      const conf = sparkConfOf(c);
      const keys = hopsworksKeysIn(c);
      return {
        id: c.cluster_id,
        name: String(c.cluster_name ?? ""),
        state: String(c.state ?? ""),
        owner: String(c.creator_user_name ?? ""),
        hopsworksProjectId: hopsworksProjectOf(c) ?? null,
        hopsworksSparkKeys: keys.length,
        hopsworksSparkKeysTotal: hopsworksKeysExpected(c),
        hopsworksSparkConf: Object.fromEntries(keys.map((k) => [k, conf[k]!])),
        initScripts: ((c.init_scripts ?? []) as Record<string, any>[]).map(initScriptDestination),
        libraries: (await ws.libraries(c.cluster_id)).map((l) => ({ library: libraryName(l.library), status: l.status })),
      };
    }),
  );
  return { host: ws.host, url: ws.url, tokens, clusters };
}

async function listHopsworks(hw: HopsworksConsole): Promise<HopsworksListing> {
  const projects: HopsworksListing["projects"] = [];
  for (const p of hw.seed.projects) {
    const owner = await hw.login(p.owner);
    const info = await owner.get(`/project/getProjectInfo/${encodeURIComponent(p.name)}`);
    const members = (await owner.get(`/project/${info.projectId}/projectMembers`)) as unknown[];
    projects.push({ id: info.projectId, name: info.projectName, owner: info.owner, members: members.length });
  }
  const users: HopsworksListing["users"] = [];
  for (const u of hw.seed.users) {
    if (hw.projectsOf(u.email).length === 0) {
      users.push({ email: u.email, registrations: [], note: "in no project" });
      continue;
    }
    const client = await hw.login(u.email);
    const projectId = await hw.projectIdFor(u.email);
    const registered = await client.get(`/project/${projectId}/integrations/databricks`);
    const registrations = await Promise.all(
      ((registered.items ?? []) as { url: string }[]).map(async ({ url }) => {
        const secret = await client.call("GET", `/users/secrets/db_${encodeURIComponent(url)}`, { accept: [404] });
        const value: string | undefined = secret.status === 200 ? secret.body.items?.[0]?.secret : undefined;
        return { workspace: url, keyEnding: value ? value.slice(-4) : null };
      }),
    );
    users.push({ email: u.email, registrations });
  }
  return { host: hw.host, url: hw.url, version: await hw.version(), projects, users };
}

async function listQualytics(q: QualyticsConsole): Promise<QualyticsListing> {
  const datastores = (await q.datastores()).map((d) => ({
    id: d.id as number,
    name: d.name as string,
    type: (d.enrichment_only ? "enrichment" : "source") as "source" | "enrichment",
    enrichmentId: (d.enrich_datastore?.id ?? null) as number | null,
    catalog: (d.database ?? null) as string | null,
    database: (d.schema ?? null) as string | null,
    description: (d.description ?? null) as string | null,
    connected: Boolean(d.connected),
    // `connection_id` or `connection: {id}`, by the deployment's dialect.
    connectionId: (d.connection_id ?? (d.connection as { id?: number } | undefined)?.id) as number,
  }));
  return { host: q.host, url: q.url, datastores };
}

const none = (rows: string[][], header: string[]) => (rows.length === 0 ? ["    (none)"] : table([header, ...rows], "    "));

/** The listing for people: one block per service host. */
export function listingLines(listing: Listing): string[] {
  const out: string[] = [];
  for (const ws of listing.databricks ?? []) {
    out.push(`databricks ${ws.host}  ${ws.url}`, "  tokens");
    out.push(
      ...none(
        ws.tokens.map((t) => [t.owner, t.id.slice(0, 12), t.comment || "-", timestamp(t.creationTime), timestamp(t.expiryTime)]),
        ["OWNER", "ID", "COMMENT", "CREATED", "EXPIRES"],
      ),
    );
    out.push("  clusters");
    out.push(
      ...none(
        ws.clusters.map((c) => [
          c.id,
          c.name,
          c.state,
          c.owner,
          c.hopsworksProjectId ?? "-",
          `${c.hopsworksSparkKeys}/${c.hopsworksSparkKeysTotal}`,
          c.initScripts.join(", ") || "-",
          c.libraries.map((l) => `${l.library} ${l.status}`).join(", ") || "-",
        ]),
        ["ID", "NAME", "STATE", "OWNER", "HOPSWORKS", "SPARK KEYS", "INIT SCRIPTS", "LIBRARIES"],
      ),
    );
    out.push("");
  }
  for (const hw of listing.hopsworks ?? []) {
    out.push(`hopsworks ${hw.host}  ${hw.url}${hw.version ? `  (Hopsworks ${hw.version})` : ""}`, "  projects");
    out.push(
      ...none(
        hw.projects.map((p) => [String(p.id), p.name, p.owner, String(p.members)]),
        ["ID", "NAME", "OWNER", "MEMBERS"],
      ),
    );
    out.push("  registered Databricks workspaces");
    out.push(
      ...none(
        hw.users.map((u) => [u.email, u.note ?? (u.registrations.map((r) => `${r.workspace} (key …${r.keyEnding ?? "missing"})`).join(", ") || "-")]),
        ["USER", "WORKSPACES"],
      ),
    );
    out.push("");
  }
  for (const q of listing.qualytics ?? []) {
    out.push(`qualytics ${q.host}  ${q.url}`, "  datastores");
    out.push(
      ...none(
        q.datastores.map((d) => [
          String(d.id),
          d.name,
          d.type,
          d.enrichmentId === null ? "-" : String(d.enrichmentId),
          `${d.catalog ?? "-"}/${d.database ?? "-"}`,
          d.connected ? "yes" : "no",
          d.description ?? "-",
        ]),
        ["ID", "NAME", "TYPE", "ENRICHMENT", "CATALOG/DATABASE", "CONNECTED", "DESCRIPTION"],
      ),
    );
    out.push("");
  }
  while (out.at(-1) === "") out.pop();
  return out;
}
