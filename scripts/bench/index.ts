/**
 * `npm run bench`: the package's performance against the sandbox, with service latencies and
 * durations scaled from real ones (issue 6 §3). Not a test: it measures and reports; it fails only
 * when an operation fails.
 *
 * Phases (one sandbox daemon, one local file backend, all in a fresh temp folder):
 * 1. lifecycle: one resource of each type, requests per step (create, no-op preview, refresh,
 *    update, delete) from the sandboxes' request logs;
 * 2. engine floor: 50 trivial dynamic resources against 50 of ours (tokens): preview, up, refresh;
 * 3. scale: 50 configured clusters and 50 datastores in one `up`, against the ideal;
 * 4. state: bytes per resource in `pulumi stack export`, the serialized provider's size;
 * 5. 429 storm: the 50 datastores updated with Qualytics limited to R requests per second;
 * 6. many stacks: K teams' stacks deployed at once from separate processes on one PostgreSQL
 *    state backend (scripts/bench/teams.ts);
 * and all along, the dynamic-provider processes' peak memory, read from /proc.
 *
 * Writes bench/results.json and prints markdown tables (the README's Performance section).
 * Knobs (environment): BENCH_SCALE (0.05), BENCH_N (50), BENCH_STORM_RPS (5), BENCH_TEAMS (8),
 * BENCH_TEAM_SOURCES (8: 10 resources a stack), BENCH_KEEP (keep the temp folder), BENCH_ONLY=teams
 * (that phase alone, printed and not written to bench/results.json).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { LatencySettings } from "../../sandbox/common/latency";
import { exportStackMasked } from "../lib/engine";
import { sandboxStackConfig, seededClusterIds } from "../lib/platform-config";
import { REPO_ROOT } from "../lib/repo-root";
import { MemoryWatcher, peakKb } from "./memory";
import { markdownReport, teamsRow, type BenchResults, type LifecycleRow, type StepCounts } from "./report";
import { BenchSandbox, SERVICES, type Service } from "./sandbox";
import { BenchStacks, shortType, urnsOf, type OpResult } from "./stacks";
import { manyStacks } from "./teams";

const SCALE = Number(process.env.BENCH_SCALE ?? 0.05);
const N = Number(process.env.BENCH_N ?? 50);
const STORM_RPS = Number(process.env.BENCH_STORM_RPS ?? 5);
const FLOOR_REPETITIONS = 3;
const TEAMS = Number(process.env.BENCH_TEAMS ?? 8);
const TEAM_SOURCES = Number(process.env.BENCH_TEAM_SOURCES ?? 8);
const say = (line = "") => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Real-world latencies (ms) the sandboxes are given, times SCALE. */
export const REAL_LATENCY_MS: Record<Service, LatencySettings> = {
  // Databricks REST: 100–300 ms.
  databricks: { baseMs: 100, jitterMs: 200, perRoute: {} },
  // Hopsworks REST 100–300 ms; a login 0.5–0.7 s; "Configure" 3–5 s on top of the Databricks calls it makes.
  hopsworks: {
    baseMs: 100,
    jitterMs: 200,
    perRoute: {
      "POST /hopsworks-api/api/auth/login": { baseMs: 500, jitterMs: 200 },
      "POST /hopsworks-api/api/project/:project/integrations/databricks/:instance/clusters/:cluster": { baseMs: 3000, jitterMs: 2000 },
    },
  },
  // Qualytics REST 100–300 ms; connection tests 1–1.5 s (plus the Databricks calls they make).
  qualytics: {
    baseMs: 100,
    jitterMs: 200,
    perRoute: {
      "POST /api/datastores/connection": { baseMs: 1000, jitterMs: 500 },
      "POST /api/datastores/:id/connection": { baseMs: 1000, jitterMs: 500 },
    },
  },
};

const scaled = (s: LatencySettings, f: number): LatencySettings => ({
  baseMs: round(s.baseMs * f),
  jitterMs: round(s.jitterMs * f),
  perRoute: Object.fromEntries(Object.entries(s.perRoute).map(([k, v]) => [k, { baseMs: round(v.baseMs * f), jitterMs: round(v.jitterMs * f) }])),
});
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The CLI's default `--parallel` (4 × GOMAXPROCS in v3.276), as `pulumi up --help` prints it. */
function defaultParallelism(): number {
  const pulumi = path.join(process.env.PDI_PULUMI_ROOT ?? "", "bin", "pulumi");
  const help = execFileSync(pulumi, ["up", "--help"], { encoding: "utf8" });
  const m = /--parallel int32 .*\(default (\d+)\)/.exec(help);
  if (!m) throw new Error("cannot read the default --parallel from `pulumi up --help`");
  return Number(m[1]);
}

const pulumiVersion = () => execFileSync(path.join(process.env.PDI_PULUMI_ROOT ?? "", "bin", "pulumi"), ["version"], { encoding: "utf8" }).trim();

const TYPES = [
  "DatabricksAccessToken",
  "HopsworksDatabricksInstance",
  "HopsworksConfiguredCluster",
  "QualyticsDatabricksEnrichmentDatastore",
  "QualyticsDatabricksDatastore",
] as const;
type TypeName = (typeof TYPES)[number];
const PART: Record<TypeName, string> = {
  DatabricksAccessToken: "token",
  HopsworksDatabricksInstance: "instance",
  HopsworksConfiguredCluster: "cluster",
  QualyticsDatabricksEnrichmentDatastore: "enrichment",
  QualyticsDatabricksDatastore: "datastore",
};

const stepCounts = (r: OpResult, resources = 1, withPaths = false): StepCounts => ({
  databricks: r.counts.databricks / resources,
  hopsworks: r.counts.hopsworks / resources,
  qualytics: r.counts.qualytics / resources,
  total: r.counts.total / resources,
  resources,
  ms: r.ms,
  stepMs: Math.max(0, ...r.steps.map((s) => s.ms)),
  ...(withPaths ? { paths: pathCounts(r) } : {}),
});

/** `databricks GET /api/2.1/clusters/get` -> count; ids, cluster ids and host names generalised. */
function pathCounts(r: OpResult): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const req of r.log) {
    const generic = req.path
      .split("/")
      .map((seg) => (/^\d+$/.test(seg) ? ":id" : /^\d{4}-\d{6}-[a-z0-9]+$/.test(seg) ? ":cluster" : /\.(com|net|io)$/.test(seg) ? ":host" : seg))
      .join("/");
    const key = `${req.service} ${req.method} ${generic}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([, a], [, b]) => b - a));
}

async function main(): Promise<void> {
  const began = Date.now();
  const loadBefore = os.loadavg()[0]!;
  const parallel = defaultParallelism();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdi-bench-"));
  say(
    `pulumi-databricks-integrations bench: scale ${SCALE} (latencies and durations = real × ${SCALE}), N = ${N}, parallel ${parallel}, storm ${STORM_RPS} rps`,
  );
  say(`  work folder ${dir}`);

  const sandbox = await BenchSandbox.start(path.join(dir, "sandbox"), SCALE);
  const poller = new MemoryWatcher(100);
  // Interrupted: stop the daemon this run started (it runs detached) before leaving.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void sandbox.stop().finally(() => process.exit(130));
    });
  }
  try {
    for (const service of SERVICES) await sandbox.setLatency(service, scaled(REAL_LATENCY_MS[service], SCALE));
    const seed = sandbox.seed;
    const workspace = seed.databricks.workspaces[0];
    const adminToken = workspace.users.find((u) => u.admin)!.tokens[0].value;
    const { config, secretConfig } = sandboxStackConfig(seed, sandbox.record.endpoints);
    const pollMs = Math.max(1, Math.round(2000 * SCALE));
    const teamsPhase = async () => {
      say(`\n== 6. many stacks: ${TEAMS} teams × ${TEAM_SOURCES + 2} resources, deployed at once from separate processes, one PostgreSQL backend ==`);
      return manyStacks({
        dir: path.join(dir, "teams"),
        teams: TEAMS,
        sources: TEAM_SOURCES,
        config: { ...config, "bench:sqlHttpPath": config["platform:sqlHttpPath"]! },
        secretConfig,
        env: { PULUMI_DATABRICKS_INTEGRATIONS_POLL_MS: String(pollMs) },
        say,
      });
    };
    if (process.env.BENCH_ONLY === "teams") {
      say(`\n${teamsRow(await teamsPhase())}`);
      return;
    }
    const stacks = new BenchStacks(
      sandbox,
      poller,
      path.join(dir, "pulumi"),
      config,
      secretConfig,
      // The provider's cluster polling (2 s, doubling to 20 s, for real) scaled like cluster durations.
      { PULUMI_DATABRICKS_INTEGRATIONS_POLL_MS: String(pollMs) },
      say,
    );

    // The clusters the scale phase configures: made now, so they are RUNNING by then.
    say(`\n== setup: ${N} clusters through the Databricks API (clusters/create) ==`);
    const clusterIds: string[] = [];
    for (let i = 0; i < N; i++) {
      const created = await sandbox.databricks(workspace.host, adminToken, "POST", "/api/2.0/clusters/create", {
        cluster_name: `bench-${String(i).padStart(2, "0")}`,
        spark_version: "15.4.x-scala2.12",
        node_type_id: "i3.xlarge",
        num_workers: 1,
      });
      clusterIds.push(created.cluster_id as string);
    }

    // --- 1. lifecycle ---------------------------------------------------------------------
    say(`\n== 1. requests per lifecycle step, one resource of each type ==`);
    const lifecycleConfig = {
      "bench:clusterId": seededClusterIds(seed)[0]!,
      "bench:otherUser": seed.hopsworks.instances[0].users.find((u) => u.email === workspace.clusters[0].owner)!.username,
      "bench:sqlHttpPath": config["platform:sqlHttpPath"]!,
      "bench:updated": "",
    };
    const lc = await stacks.open("bench-lifecycle", "lifecycle", { ...lifecycleConfig, "bench:present": "" });
    const rows = Object.fromEntries(TYPES.map((t) => [t, {} as LifecycleRow])) as Record<TypeName, LifecycleRow>;
    const present: string[] = [];
    const noopFlags: string[] = [];
    for (const type of TYPES) {
      present.push(PART[type]);
      const up = await stacks.run(lc, "up", `up: create ${type}`, { config: { "bench:present": present.join(",") } });
      rows[type].create = stepCounts(up, 1, true);
      const preview = await stacks.run(lc, "preview", `preview (no-op) with ${type}`);
      rows[type].preview = stepCounts(preview);
      const changed = Object.entries(preview.changes).filter(([op, n]) => op !== "same" && n > 0);
      if (preview.counts.total !== 0 || changed.length)
        noopFlags.push(`${type}: no-op preview made ${preview.counts.total} requests, changes ${JSON.stringify(preview.changes)}`);
    }
    for (const type of TYPES) {
      const target = await urnsOf(lc, type);
      rows[type].refresh = stepCounts(await stacks.run(lc, "refresh", `refresh --target ${type}`, { target }), target.length);
    }
    const updated: string[] = [];
    for (const type of TYPES) {
      if (type === "HopsworksDatabricksInstance") {
        // The key the registration rotates to: a second token (not counted).
        present.push("token2");
        await stacks.run(lc, "up", `up: second token (setup)`, { config: { "bench:present": present.join(",") } });
      }
      updated.push(PART[type]);
      rows[type].update = stepCounts(await stacks.run(lc, "up", `up: update ${type}`, { config: { "bench:updated": updated.join(",") } }), 1, true);
    }
    for (const type of [...TYPES].reverse()) {
      const remove = type === "DatabricksAccessToken" ? ["token", "token2"] : [PART[type]];
      const left = present.filter((p) => !remove.includes(p));
      present.splice(0, present.length, ...left);
      // Removing the last token empties the program: the engine deletes both tokens.
      const up = await stacks.run(lc, "up", `up: delete ${type}`, { config: { "bench:present": present.join(",") } });
      rows[type].delete = stepCounts(up, remove.length);
    }

    // --- 2. engine floor ------------------------------------------------------------------
    say(`\n== 2. engine floor: ${N} trivial dynamic resources vs ${N} DatabricksAccessTokens ==`);
    const floor: BenchResults["floor"] = { n: N, ours: "DatabricksAccessToken", repetitions: FLOOR_REPETITIONS, ops: {} };
    const trivial = await stacks.open("bench-floor-trivial", "floor", { "bench:kind": "trivial", "bench:count": String(N) });
    const ours = await stacks.open("bench-floor-ours", "floor", { "bench:kind": "token", "bench:count": String(N) });
    const times: Record<string, { trivial: number[]; ours: number[]; requests: number }> = {};
    // preview (of a stack to create), up, refresh; then destroy for the next round. Medians.
    for (let rep = 1; rep <= FLOOR_REPETITIONS; rep++) {
      for (const kind of ["preview", "up", "refresh"] as const) {
        const t = await stacks.run(trivial, kind, `${kind}: ${N} trivial (${rep}/${FLOOR_REPETITIONS})`);
        const o = await stacks.run(ours, kind, `${kind}: ${N} tokens (${rep}/${FLOOR_REPETITIONS})`);
        const entry = (times[kind] ??= { trivial: [], ours: [], requests: 0 });
        entry.trivial.push(t.ms);
        entry.ours.push(o.ms);
        entry.requests = o.counts.total;
      }
      if (rep < FLOOR_REPETITIONS) {
        await stacks.run(trivial, "destroy", `destroy: ${N} trivial`);
        await stacks.run(ours, "destroy", `destroy: ${N} tokens`);
      }
    }
    for (const [kind, t] of Object.entries(times)) {
      const trivialMs = median(t.trivial);
      const oursMs = median(t.ours);
      floor.ops[kind] = { trivialMs, oursMs, ratio: round(oursMs / trivialMs, 2), oursRequests: t.requests, trivialRuns: t.trivial, oursRuns: t.ours };
    }

    // --- 3. scale -------------------------------------------------------------------------
    say(`\n== 3. ${N} configured clusters + ${N} datastores in one up (parallel ${parallel}) ==`);
    await waitForRunning(sandbox, workspace.host, adminToken, clusterIds);
    const scaleConfig = { "bench:sqlHttpPath": config["platform:sqlHttpPath"]!, "bench:clusterIds": "[]", "bench:datastores": "0" };
    const sc = await stacks.open("bench-scale", "scale", scaleConfig);
    await stacks.run(sc, "up", `up: shared part (token, registration, enrichment)`, { parallel });
    const big = await stacks.run(sc, "up", `up: +${N} clusters +${N} datastores`, {
      parallel,
      config: { "bench:clusterIds": JSON.stringify(clusterIds), "bench:datastores": String(N) },
    });
    const bigNoop = await stacks.run(sc, "preview", `preview (no-op), ${2 * N + 3} resources`, { parallel });
    if (bigNoop.counts.total !== 0) noopFlags.push(`scale stack: no-op preview made ${bigNoop.counts.total} requests`);
    const slowestIsolated = Math.max(rows.HopsworksConfiguredCluster.create.stepMs, rows.QualyticsDatabricksDatastore.create.stepMs);
    const waves = Math.ceil((2 * N) / parallel);
    // A tighter ideal: the isolated steps' total time spread over the parallel slots.
    const workMs = N * rows.HopsworksConfiguredCluster.create.stepMs + N * rows.QualyticsDatabricksDatastore.create.stepMs;
    const packedIdealMs = Math.max(slowestIsolated, Math.round(workMs / parallel));
    const byType = (type: string) => big.steps.filter((s) => s.type === type).map((s) => s.ms);
    const scale: BenchResults["scale"] = {
      resources: 2 * N,
      parallel,
      parallelDefault: `4 × GOMAXPROCS (${os.cpus().length} CPUs) = ${parallel}`,
      wallMs: big.ms,
      waves,
      slowestIsolatedMs: slowestIsolated,
      idealMs: slowestIsolated * waves,
      ratio: round(big.ms / (slowestIsolated * waves), 2),
      packedIdealMs,
      packedRatio: round(big.ms / packedIdealMs, 2),
      slowestInRunMs: Math.max(0, ...big.steps.map((s) => s.ms)),
      medianClusterMs: median(byType("HopsworksConfiguredCluster")),
      medianDatastoreMs: median(byType("QualyticsDatabricksDatastore")),
      requests: big.counts,
      noopPreviewRequests: bigNoop.counts.total,
    };

    // --- 4. state -------------------------------------------------------------------------
    const exported = (await exportStackMasked(sc)) as { deployment: { resources: Record<string, any>[] } };
    const state: BenchResults["state"] = { totalBytes: JSON.stringify(exported).length, perType: {} };
    for (const r of exported.deployment.resources) {
      const type = shortType(r.type as string);
      if (!TYPES.includes(type as TypeName)) continue;
      const entry = (state.perType[type] ??= { resources: 0, bytes: 0, providerChars: 0, providerBytes: 0 });
      entry.resources += 1;
      entry.bytes += JSON.stringify(r).length;
      // The engine keeps the serialized provider in both inputs and outputs.
      for (const provider of [r.inputs?.__provider, r.outputs?.__provider]) {
        if (typeof provider !== "string") continue;
        entry.providerChars = Math.max(entry.providerChars, provider.length);
        entry.providerBytes += JSON.stringify(provider).length;
      }
    }
    for (const entry of Object.values(state.perType)) {
      entry.bytes = Math.round(entry.bytes / entry.resources);
      entry.providerBytes = Math.round(entry.providerBytes / entry.resources);
    }

    // --- 5. 429 storm ---------------------------------------------------------------------
    say(`\n== 5. 429 storm: ${N} datastore updates, Qualytics limited to ${STORM_RPS} requests/s ==`);
    await sandbox.setRateLimit("qualytics", STORM_RPS, STORM_RPS);
    let stormResult: OpResult;
    try {
      stormResult = await stacks.run(sc, "up", `up: update ${N} datastores under the limit`, { parallel, config: { "bench:description": "bench: storm" } });
    } finally {
      await sandbox.setRateLimit("qualytics", null);
    }
    const admitted = stormResult.log.filter((r) => r.service === "qualytics" && r.status !== 429).length;
    const storm: BenchResults["storm"] = {
      rps: STORM_RPS,
      burst: STORM_RPS,
      updates: stormResult.changes.update ?? 0,
      failed: 0,
      wallMs: stormResult.ms,
      qualyticsRequests: admitted,
      throttled: stormResult.counts.throttled,
      idealMs: Math.round((admitted / STORM_RPS) * 1000),
      ratio: round(stormResult.ms / ((admitted / STORM_RPS) * 1000), 2),
    };

    const teams = await teamsPhase();

    const processes = await poller.stop();
    const reps = Array.from({ length: FLOOR_REPETITIONS }, (_, i) => i + 1);
    const results: BenchResults = {
      command: "npm run bench",
      generatedAt: new Date().toISOString(),
      // Other work on the machine shows in the 1-minute load average (2 = both cores busy).
      machine: {
        cpus: os.cpus().length,
        node: process.version,
        pulumi: pulumiVersion(),
        loadAverage: { before: round(loadBefore, 2), after: round(os.loadavg()[0]!, 2) },
      },
      settings: {
        scale: SCALE,
        timeScale: SCALE,
        providerPollMs: pollMs,
        latencyRealMs: REAL_LATENCY_MS,
        parallel,
      },
      lifecycle: rows,
      noopPreviewFlags: noopFlags,
      floor,
      scale,
      state,
      storm,
      teams,
      memory: {
        peakProviderKbTrivialUp: Math.max(...reps.map((rep) => peakKb(processes, `up: ${N} trivial (${rep}/${FLOOR_REPETITIONS})`))),
        peakProviderKbTokensUp: Math.max(...reps.map((rep) => peakKb(processes, `up: ${N} tokens (${rep}/${FLOOR_REPETITIONS})`))),
        peakProviderKb: peakKb(processes),
        peakProviderKbScaleUp: peakKb(processes, big.label),
        providerProcesses: processes.length,
      },
      durationSeconds: Math.round((Date.now() - began) / 1000),
    };
    const out = path.join(REPO_ROOT, "bench", "results.json");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    say(`\n${markdownReport(results)}`);
    say(`wrote ${path.relative(REPO_ROOT, out)}; the bench took ${results.durationSeconds} s`);
    if (noopFlags.length) say(`\nFLAG: a no-op preview was not free:\n  ${noopFlags.join("\n  ")}`);
  } finally {
    await poller.stop().catch(() => []);
    await sandbox.stop();
    if (!process.env.BENCH_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  if (!xs.length) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

async function waitForRunning(sandbox: BenchSandbox, host: string, token: string, ids: string[]): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const listed = await sandbox.databricks(host, token, "GET", "/api/2.0/clusters/list");
    const states = new Map((listed.clusters as { cluster_id: string; state: string }[]).map((c) => [c.cluster_id, c.state]));
    const waiting = ids.filter((id) => states.get(id) !== "RUNNING");
    if (!waiting.length) return;
    if (Date.now() > deadline) throw new Error(`${waiting.length} bench clusters not RUNNING after 2 minutes`);
    await sleep(250);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`\nbench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
