import * as path from "path";
import { startSandbox, type Sandbox, type SandboxConfig } from "../../sandbox";
import type { Fault, LoggedRequest } from "../../sandbox/common/control";
import { readSeed, sandboxStackConfig, seededClusterIds, MAIN_PROJECT } from "../../scripts/lib/platform-config";
import { HOPSWORKS_SPARK_KEYS } from "../../provider/hopsworks/cluster-spec";
import { familySparkKeys } from "../../provider/hopsworks/release-family";
import { EngineHarness } from "./engine-harness";
import { DOWNSTREAM_TIMEOUT_MS, PROVIDER_TIMEOUT_MS } from "./fault-matrix";

/**
 * The main platform (examples/main: two tokens, a Hopsworks registration, two configured
 * clusters, a Qualytics enrichment and source datastore) on an in-process sandbox started from
 * `sandbox/seed.json`, with what fault and crash tests need around it: fault injection per
 * service, the request logs, and an inventory of what each service holds, checked against the
 * stack's state (duplicates, orphans, half-configured clusters).
 */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const SEED: SandboxConfig = readSeed(REPO_ROOT);
const WORKSPACE = SEED.databricks.workspaces[0];
const ADMIN_TOKEN = WORKSPACE.users.find((u) => u.admin)!.tokens[0].value;
const QUALYTICS = SEED.qualytics.instances[0];
const QUALYTICS_TOKEN = QUALYTICS.users[0].tokens[0].value;
const HOPSWORKS = SEED.hopsworks.instances[0];
export const CLUSTER_IDS = seededClusterIds(SEED);
/** The seed's secrets: none may show up anywhere the audit looks. */
export const SEED_SECRETS = [
  ...SEED.databricks.workspaces.flatMap((w) => w.users.flatMap((u) => u.tokens.map((t) => t.value))),
  ...SEED.hopsworks.instances.flatMap((i) => i.users.map((u) => u.password)),
  ...HOPSWORKS.users.flatMap((u) => u.apiKeys.map((k) => k.value)),
  QUALYTICS_TOKEN,
];

/** The services of the full seed (`sandbox/seed.json`), in process. */
export const startPlatformSandbox = (timeScale: number): Promise<Sandbox> => startSandbox({ config: SEED, timeScale });

export type ServiceKey = "databricks" | "hopsworks" | "qualytics";

export interface PlatformHarnessOptions {
  /** Prefix of the temp folder (stack state, provider log). */
  name: string;
  timeScale?: number;
  /** Extra environment for the engine and the provider process (timeouts, retry budget). */
  env?: Record<string, string>;
  /**
   * Fault-test timings: short client timeouts and backoff steps in the provider, and a short
   * timeout on the services' own calls to Databricks (restored on close).
   */
  faultTimings?: boolean;
  /** The state backend (a team backend such as `postgres://…` or `s3://…`); default a file backend in the temp folder. */
  backendUrl?: string;
}

/** What a service holds that this platform could have made. */
export interface Inventory {
  /** Tokens made by the stack (marked comments), by comment. */
  tokens: { id: string; comment: string }[];
  registrations: string[];
  datastores: { id: number; name: string; enrichmentOnly: boolean; connectionId: number; linkedTo?: number }[];
  connections: { id: number; name: string; datastores: number }[];
  /** `hsfs`: the Hopsworks Python client (hsfs or hopsworks) is on the cluster; `jars`: Hopsworks' jar libraries on it. */
  clusters: { id: string; state: string; hopsworksKeys: number; hopsworksInitScripts: number; hsfs: boolean; jars: number }[];
}

export class PlatformHarness extends EngineHarness {
  private constructor(
    readonly sandbox: Sandbox,
    options: PlatformHarnessOptions,
    stop: () => Promise<unknown>,
  ) {
    const timings: Record<string, string> = options.faultTimings
      ? {
          PULUMI_DATABRICKS_INTEGRATIONS_TIMEOUT_MS: String(PROVIDER_TIMEOUT_MS),
          PULUMI_DATABRICKS_INTEGRATIONS_RETRY_BASE_MS: "100",
          PULUMI_DATABRICKS_INTEGRATIONS_RETRY_MAX_DELAY_MS: "400",
        }
      : {};
    const { config, secretConfig } = sandboxStackConfig(SEED, sandbox.endpoints);
    super({
      name: options.name,
      program: "examples/main/index.ts",
      projectName: MAIN_PROJECT,
      stackName: "faults",
      endpoints: sandbox.endpoints,
      backendUrl: options.backendUrl,
      // Stack config persists between operations: keys a case may change get their default here.
      config: { ...config, "platform:adoptDatastores": "false", "platform:tokenLifetimeDays": "90" },
      secretConfig,
      env: { PULUMI_DATABRICKS_INTEGRATIONS_POLL_MS: "50", ...timings, ...options.env },
      secrets: SEED_SECRETS,
      sandboxUrls: [...new Set(Object.values(sandbox.endpoints))],
      stop,
    });
  }

  static async start(options: PlatformHarnessOptions): Promise<PlatformHarness> {
    const downstream = process.env.PDI_SANDBOX_DOWNSTREAM_TIMEOUT_MS;
    if (options.faultTimings) process.env.PDI_SANDBOX_DOWNSTREAM_TIMEOUT_MS = String(DOWNSTREAM_TIMEOUT_MS);
    const sandbox = await startPlatformSandbox(options.timeScale ?? 0.002);
    return new PlatformHarness(sandbox, options, async () => {
      if (options.faultTimings) process.env.PDI_SANDBOX_DOWNSTREAM_TIMEOUT_MS = downstream;
      await sandbox.close();
    });
  }

  /**
   * Deletes what an earlier failed case may have left in the services outside the stack (marked
   * tokens, datastores, connections, the registration), so each case starts from the seed.
   */
  async removeLeftovers(): Promise<void> {
    const live = await this.inventory();
    for (const t of live.tokens) await this.databricks("POST", "/api/2.0/token/delete", { token_id: t.id });
    for (const d of [...live.datastores].sort((a, b) => Number(a.enrichmentOnly) - Number(b.enrichmentOnly))) {
      await this.qualytics("DELETE", `/datastores/${d.id}`);
    }
    for (const c of live.connections) await this.qualytics("DELETE", `/connections/${c.id}`);
    if (live.registrations.length) {
      const project = (await this.hopsworks("GET", `/project/getProjectInfo/${HOPSWORKS.projects[0].name}`)).body as { projectId: number };
      for (const host of live.registrations) await this.hopsworks("DELETE", `/project/${project.projectId}/integrations/databricks/${host}`);
    }
  }

  /** Waits until a request matching `which` shows in a service's log (polled in process). */
  async waitForRequest(service: ServiceKey, which: (r: LoggedRequest) => boolean, timeoutMs = 120_000): Promise<LoggedRequest> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.control(service).requests().find(which);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching ${service} request within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Puts the services back where a first-ever create finds them, so a create exercises every
   * step: Hopsworks' client files not yet on DBFS (their upload is create / add-block / close),
   * and the seed's TERMINATED cluster terminated again (Hopsworks starts it).
   */
  async prepareFreshCreate(): Promise<void> {
    const destroyed = await this.op("destroy");
    if (!destroyed.ok) throw new Error(`could not empty the stack before a fresh create: ${destroyed.error}`);
    await this.removeLeftovers();
    // Everything under /hopsworks/ (the folder is Hopsworks' internal address, not its host).
    await this.databricks("POST", "/api/2.0/dbfs/delete", { path: "/hopsworks", recursive: true });
    for (const cluster of WORKSPACE.clusters.filter((c) => c.state === "TERMINATED")) {
      await this.databricks("POST", "/api/2.1/clusters/delete", { cluster_id: cluster.cluster_id });
      for (let i = 0; i < 200; i++) {
        if ((await this.databricks("GET", `/api/2.1/clusters/get?cluster_id=${cluster.cluster_id}`)).body.state === "TERMINATED") break;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  control(service: ServiceKey) {
    return this.sandbox[service].control;
  }

  addFault(service: ServiceKey, fault: Omit<Fault, "count"> & { count?: number }): void {
    this.control(service).addFault({ count: 1, ...fault });
  }

  clearFaults(): void {
    for (const s of ["databricks", "hopsworks", "qualytics"] as const) this.control(s).clearFaults();
  }

  /** The request logs of every service, newest last. */
  requests(): LoggedRequest[] {
    return (["databricks", "hopsworks", "qualytics"] as const).flatMap((s) => this.control(s).requests());
  }

  clearRequests(): void {
    for (const s of ["databricks", "hopsworks", "qualytics"] as const) this.control(s).clearRequests();
  }

  // ---- direct API calls, as an operator would make them ----

  private async call(base: string, method: string, apiPath: string, auth: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${base}${apiPath}`, {
      method,
      headers: { authorization: auth, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  }

  databricks = (method: string, apiPath: string, body?: unknown) =>
    this.call(this.sandbox.endpoints[WORKSPACE.host]!, method, apiPath, `Bearer ${ADMIN_TOKEN}`, body);
  qualytics = (method: string, apiPath: string, body?: unknown) =>
    this.call(this.sandbox.endpoints[QUALYTICS.host]!, method, `/api${apiPath}`, `Bearer ${QUALYTICS_TOKEN}`, body);
  /** As the stack's Hopsworks user (the integration routes take only a session JWT, as in Hopsworks). */
  async hopsworks(method: string, apiPath: string, body?: unknown) {
    const base = `${this.sandbox.endpoints[HOPSWORKS.host]!}/hopsworks-api/api`;
    const admin = HOPSWORKS.users.find((u) => u.email === HOPSWORKS.projects[0].owner)!;
    const login = await fetch(`${base}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: admin.email, password: admin.password }).toString(),
    });
    const jwt = login.headers.get("authorization");
    if (!jwt) throw new Error(`Hopsworks login failed: HTTP ${login.status}`);
    return this.call(base, method, apiPath, jwt, body);
  }

  async inventory(): Promise<Inventory> {
    const tokens = ((await this.databricks("GET", "/api/2.0/token/list")).body.token_infos ?? []) as { token_id: string; comment?: string }[];
    const project = (await this.hopsworks("GET", `/project/getProjectInfo/${HOPSWORKS.projects[0].name}`)).body as { projectId: number };
    const registered = (await this.hopsworks("GET", `/project/${project.projectId}/integrations/databricks`)).body as {
      items?: { url?: string; href?: string }[];
    };
    const sources = (await this.qualytics("GET", "/datastores?size=100")).body.items as any[];
    const enrichment = (await this.qualytics("GET", "/datastores?size=100&enrichment_only=true")).body.items as any[];
    const connections = ((await this.qualytics("GET", "/connections?size=100")).body.items ?? []) as any[];
    const clusters = [];
    for (const id of CLUSTER_IDS) {
      const c = (await this.databricks("GET", `/api/2.1/clusters/get?cluster_id=${id}`)).body;
      const libs = ((await this.databricks("GET", `/api/2.0/libraries/cluster-status?cluster_id=${id}`)).body.library_statuses ?? []) as any[];
      clusters.push({
        id,
        state: c.state,
        hopsworksKeys: Object.keys(c.spark_conf ?? {}).filter((k) => HOPSWORKS_SPARK_KEYS.includes(k)).length,
        hopsworksInitScripts: (c.init_scripts ?? []).filter((s: any) => JSON.stringify(s).includes("/hopsworks/")).length,
        hsfs: libs.some(
          (l) => /^(hsfs|hopsworks)\b/.test(String(l.library?.pypi?.package ?? "")) && l.status !== "UNINSTALL_ON_RESTART" && l.status !== "FAILED",
        ),
        jars: libs.filter((l) => /^dbfs:\/+hopsworks\//.test(String(l.library?.jar ?? "")) && l.status !== "UNINSTALL_ON_RESTART").length,
      });
    }
    return {
      tokens: tokens.filter((t) => t.comment?.includes("[pulumi:")).map((t) => ({ id: t.token_id, comment: t.comment! })),
      registrations: (registered.items ?? []).map((i) => (i.url ?? i.href?.split("/").pop() ?? "").toLowerCase()),
      datastores: [...sources, ...enrichment].map((d) => ({
        id: d.id,
        name: d.name,
        enrichmentOnly: d.enrichment_only === true,
        connectionId: d.connection_id,
        linkedTo: d.enrich_datastore?.id,
      })),
      connections: connections.map((c) => ({ id: c.id, name: c.name, datastores: (c.datastores ?? []).length })),
      clusters,
    };
  }

  /**
   * What the stack's state says exists, from a masked export: token ids, the registration,
   * datastore and connection ids, configured clusters (with their `drift`).
   */
  async stateView(): Promise<StateView> {
    const exported = await this.op("export");
    if (!exported.ok) throw new Error(`export failed: ${exported.error}`);
    const resources = ((exported.deployment as any)?.deployment?.resources ?? []) as any[];
    const of = (type: string) => resources.filter((r) => r.type === `pulumi-nodejs:dynamic/databricks-integrations:${type}`);
    return {
      pendingOperations: ((exported.deployment as any)?.deployment?.pending_operations ?? []).length,
      tokenIds: of("DatabricksAccessToken").map((r) => r.id),
      registrations: of("HopsworksDatabricksInstance").map((r) => r.outputs.workspaceHost),
      // A datastore whose create never got an answer keeps a provisional id (`name:<name>`); its output says which it is.
      datastoreIds: [...of("QualyticsDatabricksDatastore"), ...of("QualyticsDatabricksEnrichmentDatastore")].map((r) => Number(r.outputs.datastoreId ?? r.id)),
      connectionIds: [...of("QualyticsDatabricksDatastore"), ...of("QualyticsDatabricksEnrichmentDatastore")].map((r) => r.outputs.connectionId),
      clusters: of("HopsworksConfiguredCluster").map((r) => ({ id: r.outputs.clusterId as string, drift: (r.outputs.drift ?? []) as string[] })),
      deployment: exported.deployment,
    };
  }

  /**
   * The invariants every fault and crash case ends with: each object a service holds for this
   * platform is owned by exactly one resource in the stack (no duplicate, no orphan), and every
   * cluster is either fully configured (and its resource says so) or not configured at all.
   * Returns the problems found (empty when all hold).
   */
  async problems(): Promise<string[]> {
    const [live, state] = [await this.inventory(), await this.stateView()];
    const problems: string[] = [];
    if (state.pendingOperations) problems.push(`${state.pendingOperations} pending operation(s) left in the state`);
    const byComment = new Map<string, number>();
    for (const t of live.tokens) {
      const key = t.comment.replace(/\s*\[pulumi:[^\]]*\]$/, "");
      byComment.set(key, (byComment.get(key) ?? 0) + 1);
      if (!state.tokenIds.includes(t.id)) problems.push(`orphan token ${t.id} ("${t.comment}")`);
    }
    for (const [comment, n] of byComment) if (n > 1) problems.push(`duplicate tokens: ${n} × "${comment}"`);
    for (const id of state.tokenIds) if (!live.tokens.some((t) => t.id === id)) problems.push(`state token ${id} does not exist`);

    for (const host of live.registrations) if (!state.registrations.includes(host)) problems.push(`orphan registration of ${host}`);
    for (const host of state.registrations) if (!live.registrations.includes(host)) problems.push(`state registration of ${host} does not exist`);

    const names = new Map<string, number>();
    for (const d of live.datastores) {
      names.set(d.name, (names.get(d.name) ?? 0) + 1);
      if (!state.datastoreIds.includes(d.id)) problems.push(`orphan datastore ${d.id} ("${d.name}")`);
    }
    for (const [name, n] of names) if (n > 1) problems.push(`duplicate datastores: ${n} × "${name}"`);
    for (const id of state.datastoreIds) if (!live.datastores.some((d) => d.id === id)) problems.push(`state datastore ${id} does not exist`);
    for (const c of live.connections) if (c.datastores === 0) problems.push(`orphan connection ${c.id} ("${c.name}") serves no datastore`);

    for (const c of live.clusters) {
      const configured = state.clusters.find((s) => s.id === c.id);
      // The seed's Hopsworks is 4.2 (release family C): its keys, no init script, the client and its jars.
      const full = c.hopsworksKeys === familySparkKeys("C").length && c.hopsworksInitScripts === 0 && c.hsfs && c.jars > 0;
      const none = c.hopsworksKeys === 0 && c.hopsworksInitScripts === 0 && !c.hsfs && c.jars === 0;
      if (configured && configured.drift.length === 0 && !full)
        problems.push(`cluster ${c.id} is in the stack as configured but is half-configured (${JSON.stringify(c)})`);
      if (!configured && !none) problems.push(`cluster ${c.id} carries Hopsworks settings no stack resource owns (${JSON.stringify(c)})`);
      if (configured && configured.drift.length > 0) problems.push(`cluster ${c.id} resource reports drift: ${configured.drift.join("; ")}`);
    }
    return problems;
  }
}

export interface StateView {
  pendingOperations: number;
  tokenIds: string[];
  registrations: string[];
  datastoreIds: number[];
  connectionIds: number[];
  clusters: { id: string; drift: string[] }[];
  deployment: unknown;
}
