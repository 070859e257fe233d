/** The bench's results (bench/results.json) and their markdown tables. */
import type { LatencySettings } from "../../sandbox/common/latency";
import type { Counts } from "./sandbox";
import type { TeamsResult } from "./teams";

export interface StepCounts {
  databricks: number;
  hopsworks: number;
  qualytics: number;
  total: number;
  /** Resources of the type the step acted on (the counts are per resource). */
  resources: number;
  /** Wall time of the whole engine operation. */
  ms: number;
  /** The slowest resource step inside it (engine events), 0 when none ran. */
  stepMs: number;
  /** Requests by `service METHOD path` (ids as :id, :cluster, :host), for create and update. */
  paths?: Record<string, number>;
}

export interface LifecycleRow {
  create: StepCounts;
  preview: StepCounts;
  refresh: StepCounts;
  update: StepCounts;
  delete: StepCounts;
}

export interface BenchResults {
  command: string;
  generatedAt: string;
  machine: { cpus: number; node: string; pulumi: string; loadAverage: { before: number; after: number } };
  settings: {
    scale: number;
    timeScale: number;
    providerPollMs: number;
    latencyRealMs: Record<string, LatencySettings>;
    parallel: number;
  };
  lifecycle: Record<string, LifecycleRow>;
  noopPreviewFlags: string[];
  floor: {
    n: number;
    ours: string;
    repetitions: number;
    /** Medians of `repetitions` runs (each run's time in *Runs). */
    ops: Record<string, { trivialMs: number; oursMs: number; ratio: number; oursRequests: number; trivialRuns: number[]; oursRuns: number[] }>;
  };
  scale: {
    resources: number;
    parallel: number;
    parallelDefault: string;
    wallMs: number;
    waves: number;
    slowestIsolatedMs: number;
    idealMs: number;
    ratio: number;
    /** max(slowest isolated step, Σ isolated step times / parallel). */
    packedIdealMs: number;
    packedRatio: number;
    slowestInRunMs: number;
    medianClusterMs: number;
    medianDatastoreMs: number;
    requests: Counts;
    noopPreviewRequests: number;
  };
  state: { totalBytes: number; perType: Record<string, { resources: number; bytes: number; providerChars: number; providerBytes: number }> };
  storm: {
    rps: number;
    burst: number;
    updates: number;
    failed: number;
    wallMs: number;
    qualyticsRequests: number;
    throttled: number;
    idealMs: number;
    ratio: number;
  };
  /** Absent in results written before the phase existed. */
  teams?: TeamsResult;
  memory: { peakProviderKbTrivialUp: number; peakProviderKbTokensUp: number; peakProviderKb: number; peakProviderKbScaleUp: number; providerProcesses: number };
  durationSeconds: number;
}

const UPDATE_WHAT: Record<string, string> = {
  DatabricksAccessToken: "rotateBeforeDays",
  HopsworksDatabricksInstance: "apiKey (rotation)",
  HopsworksConfiguredCluster: "targetUser",
  QualyticsDatabricksEnrichmentDatastore: "description",
  QualyticsDatabricksDatastore: "description",
};

const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** How many of a step's Hopsworks requests were *Configure* calls (one synchronous call that runs for seconds). */
const configureCalls = (c: StepCounts) =>
  Object.entries(c.paths ?? {})
    .filter(([path]) => /^hopsworks POST .*\/integrations\/databricks\/[^/]+\/clusters\/[^/]+$/.test(path))
    .reduce((n, [, count]) => n + count, 0);

/** `14 = 11 D + 3 H`, or `0`; with the Configure calls among them where there were any. */
function cell(c: StepCounts, withTime: boolean): string {
  const parts = (
    [
      ["databricks", "D"],
      ["hopsworks", "H"],
      ["qualytics", "Q"],
    ] as const
  )
    .filter(([k]) => c[k] > 0)
    .map(([k, s]) => `${num(c[k])} ${s}`);
  const counts = c.total === 0 ? "0" : parts.length === 1 ? parts[0]! : `${num(c.total)} = ${parts.join(" + ")}`;
  const configures = configureCalls(c);
  const withConfigures = configures > 0 ? `${counts}, ${configures} configure` : counts;
  return withTime && c.stepMs > 0 ? `${withConfigures} (${sec(c.stepMs)})` : withConfigures;
}

export function markdownReport(r: BenchResults): string {
  const lines: string[] = [];
  lines.push(
    `Scale ${r.settings.scale}: service latencies and durations (cluster start, restart, library install; the provider's poll interval) are real × ${r.settings.scale}. ` +
      `${r.machine.cpus} CPUs, node ${r.machine.node}, pulumi ${r.machine.pulumi}, parallel ${r.settings.parallel}; 1-minute load average ${r.machine.loadAverage.before} before, ${r.machine.loadAverage.after} after. The bench took ${r.durationSeconds} s.`,
  );
  lines.push("");
  lines.push(
    "**Requests per lifecycle step**, one resource (D Databricks, including the calls Hopsworks and Qualytics make to it for us; H Hopsworks; Q Qualytics; in brackets the resource's own step time):",
  );
  lines.push("");
  lines.push("| resource | create | no-op preview | refresh | update (what changed) | delete |");
  lines.push("|---|---|---|---|---|---|");
  for (const [type, row] of Object.entries(r.lifecycle)) {
    const preview = row.preview.total === 0 ? "0" : `**${cell(row.preview, false)}** ⚠`;
    lines.push(
      `| ${type} | ${cell(row.create, true)} | ${preview} | ${cell(row.refresh, true)} | ${cell(row.update, true)} (${UPDATE_WHAT[type] ?? "?"}) | ${cell(row.delete, true)} |`,
    );
  }
  lines.push("");
  lines.push(`**Engine floor**, ${r.floor.n} resources in a stack (wall time of the whole operation, median of ${r.floor.repetitions} runs):`);
  lines.push("");
  lines.push(`| operation | ${r.floor.n} trivial dynamic resources | ${r.floor.n} ${r.floor.ours} | ratio | requests (ours) |`);
  lines.push("|---|---|---|---|---|");
  for (const [op, o] of Object.entries(r.floor.ops)) {
    const runs = (xs: number[]) => xs.map((x) => (x / 1000).toFixed(1)).join(", ");
    lines.push(
      `| ${op} | ${sec(o.trivialMs)} (${runs(o.trivialRuns)}) | ${sec(o.oursMs)} (${runs(o.oursRuns)}) | ${o.ratio.toFixed(2)}× | ${o.oursRequests} |`,
    );
  }
  lines.push("");
  const s = r.scale;
  const st = r.storm;
  const perType = Object.entries(r.state.perType)
    .map(([t, e]) => `${t} ${(e.bytes / 1024).toFixed(1)} kB`)
    .join(", ");
  const providerShare = Object.values(r.state.perType).map((e) => e.providerBytes / e.bytes);
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  const chars = Object.values(r.state.perType).map((e) => e.providerChars);
  const providerChars = Math.min(...chars) === Math.max(...chars) ? String(chars[0]) : `${Math.min(...chars)}–${Math.max(...chars)}`;
  lines.push("| measure | result |");
  lines.push("|---|---|");
  lines.push(
    `| ${s.resources / 2} configured clusters + ${s.resources / 2} datastores, one \`up\` (parallel ${s.parallel}) | ${sec(s.wallMs)}; ideal ${s.waves} waves × ${sec(s.slowestIsolatedMs)} (slowest single step alone) = ${sec(s.idealMs)}: **${s.ratio.toFixed(2)}×**; packed ideal (Σ isolated steps / ${s.parallel}) ${sec(s.packedIdealMs)}: **${s.packedRatio.toFixed(2)}×** |`,
  );
  lines.push(
    `| … its steps under load | slowest ${sec(s.slowestInRunMs)}, median cluster ${sec(s.medianClusterMs)}, median datastore ${sec(s.medianDatastoreMs)}; ${s.requests.total} requests (${s.requests.databricks} D, ${s.requests.hopsworks} H, ${s.requests.qualytics} Q) |`,
  );
  lines.push(`| no-op preview of that stack (${s.resources + 3} resources) | ${s.noopPreviewRequests} requests |`);
  lines.push(
    `| 429 storm: ${st.updates} datastore updates, Qualytics limited to ${st.rps} req/s (burst ${st.burst}) | ${st.failed === 0 ? "completed, no failure" : `${st.failed} failed`}; ${sec(st.wallMs)}; ideal ${st.qualyticsRequests} admitted requests / ${st.rps} req/s = ${sec(st.idealMs)}: **${st.ratio.toFixed(2)}×**; ${st.throttled} answered 429 |`,
  );
  if (r.teams) lines.push(teamsRow(r.teams));
  lines.push(
    `| state per resource (\`pulumi stack export\`) | ${perType}; the ${s.resources + 3}-resource stack: ${(r.state.totalBytes / 1024).toFixed(0)} kB |`,
  );
  lines.push(
    `| serialized provider (\`__provider\`) | ${providerChars} characters, kept twice (inputs and outputs): ${pct(Math.min(...providerShare))}–${pct(Math.max(...providerShare))} of a resource's state |`,
  );
  lines.push(
    `| provider process peak memory (VmHWM) | ${mb(r.memory.peakProviderKbScaleUp)} in the ${s.resources}-resource \`up\` (${mb(r.memory.peakProviderKbTokensUp)} for ${r.floor.n} tokens, ${mb(r.memory.peakProviderKbTrivialUp)} for ${r.floor.n} trivial resources); ${mb(r.memory.peakProviderKb)} the highest of all ${r.memory.providerProcesses} provider processes |`,
  );
  return lines.join("\n");
}

/** The many-stacks row of the results table. */
export function teamsRow(t: TeamsResult): string {
  const each = [...t.stackMs].sort((a, b) => a - b);
  return (
    `| many stacks: ${t.teams} teams × ${t.resourcesPerStack} resources, ${t.concurrency} deployed at once from separate processes on one ${t.backend} backend | ` +
    `${sec(t.wallMs)} for the ${t.concurrency} at once (each ${sec(each[0] ?? 0)}–${sec(each[each.length - 1] ?? 0)}); one stack alone ${sec(t.aloneMs)}, so ideal ${sec(t.aloneMs)} × ${t.concurrency} / ${t.concurrency} = ${sec(t.idealMs)}: **${t.ratio.toFixed(2)}×**; ` +
    `on ${t.cores} cores at most ${t.cores} run at a time: ${sec(t.aloneMs)} × ${t.concurrency} / ${t.cores} = ${sec(t.coreIdealMs)}: **${t.coreRatio.toFixed(2)}×**; ` +
    `${t.failures.length ? `${t.failures.length} failed: ${t.failures.join("; ")}` : "no failure"}; destroy of all ${t.teams} at once ${sec(t.destroyMs)} |`
  );
}
