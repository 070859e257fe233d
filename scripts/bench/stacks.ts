/**
 * Engine operations for the benchmark: each one clears the sandbox request logs, runs through the
 * Automation API (the program inline in this process, the engine and the provider process as the
 * CLI starts them), and returns its wall time, the requests each service saw, and when each
 * resource's step started and ended (from the engine's events, as they arrive).
 */
import * as fs from "fs";
import * as path from "path";
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import type { LoggedRequest } from "../../sandbox/common/control";
import { openStack } from "../lib/engine";
import { REPO_ROOT } from "../lib/repo-root";
import type { MemoryWatcher } from "./memory";
import type { BenchSandbox, Counts } from "./sandbox";

export type OpKind = "up" | "preview" | "refresh" | "destroy";

export interface StepTiming {
  urn: string;
  type: string;
  op: string;
  ms: number;
}

export interface OpResult {
  label: string;
  kind: OpKind;
  ms: number;
  counts: Counts;
  log: LoggedRequest[];
  changes: Record<string, number>;
  steps: StepTiming[];
}

export interface OpOptions {
  target?: string[];
  parallel?: number;
  /** Config to set before the operation (bench:* keys). */
  config?: Record<string, string>;
}

export const program = (name: string) => path.join(REPO_ROOT, "dist", "scripts", "bench", "programs", `${name}.js`);

/** `pulumi-nodejs:databricks-integrations:DatabricksAccessToken` -> `DatabricksAccessToken`. */
export const shortType = (type: string) => type.split(":").pop() ?? type;

export class BenchStacks {
  constructor(
    private readonly sandbox: BenchSandbox,
    private readonly poller: MemoryWatcher,
    private readonly stateDir: string,
    private readonly config: Record<string, string>,
    private readonly secretConfig: Record<string, string>,
    private readonly env: Record<string, string>,
    private readonly log: (line: string) => void,
  ) {}

  open(projectName: string, programName: string, config: Record<string, string> = {}): Promise<Stack> {
    return openStack({
      programModule: program(programName),
      projectName,
      stackName: "bench",
      stateDir: this.stateDir,
      config: { ...this.config, ...config },
      secretConfig: this.secretConfig,
      env: this.env,
    });
  }

  async run(stack: Stack, kind: OpKind, label: string, options: OpOptions = {}): Promise<OpResult> {
    if (options.config) {
      await stack.setAllConfig(Object.fromEntries(Object.entries(options.config).map(([k, v]) => [k, { value: v }])));
    }
    await this.sandbox.clearRequests();
    this.poller.phase = label;
    let output = "";
    const started = new Map<string, { at: number; type: string; op: string }>();
    const steps: StepTiming[] = [];
    const onEvent = (event: EngineEvent) => {
      const now = Date.now();
      const pre = event.resourcePreEvent?.metadata;
      if (pre && pre.op !== "same") started.set(pre.urn, { at: now, type: pre.type, op: pre.op });
      const done = event.resOutputsEvent?.metadata;
      if (done) {
        const begin = started.get(done.urn);
        if (begin) steps.push({ urn: done.urn, type: shortType(begin.type), op: begin.op, ms: now - begin.at });
      }
    };
    const common = {
      onOutput: (s: string) => (output += s),
      onError: (s: string) => (output += s),
      onEvent,
      parallel: options.parallel,
      target: options.target,
    };
    const t0 = Date.now();
    let changes: Record<string, number>;
    try {
      if (kind === "up") changes = (await stack.up(common)).summary.resourceChanges as Record<string, number>;
      else if (kind === "preview") changes = (await stack.preview(common)).changeSummary as Record<string, number>;
      else if (kind === "refresh") changes = (await stack.refresh(common)).summary.resourceChanges as Record<string, number>;
      else changes = (await stack.destroy(common)).summary.resourceChanges as Record<string, number>;
    } catch (err) {
      throw new Error(`${kind} (${label}) failed: ${err instanceof Error ? err.message : String(err)}\n--- engine output ---\n${output.slice(-4000)}`);
    }
    const ms = Date.now() - t0;
    this.poller.phase = "idle";
    const { counts, log } = await this.sandbox.counts();
    const result: OpResult = { label, kind, ms, counts, log, changes: changes ?? {}, steps };
    // Every request of every operation, for a closer look (the work folder; BENCH_KEEP keeps it).
    const lines = log.map((r) => `${r.service} ${r.method} ${r.path} ${r.status ?? "-"}`);
    fs.appendFileSync(path.join(this.stateDir, "requests.jsonl"), `${JSON.stringify({ label, ms, steps, requests: lines })}\n`);
    this.log(`  ${label.padEnd(46)} ${(ms / 1000).toFixed(1).padStart(6)} s  ${describeCounts(counts)}  ${describeChanges(result.changes)}`);
    return result;
  }
}

export function describeCounts(c: Counts): string {
  const parts = [`D ${c.databricks}`, `H ${c.hopsworks}`, `Q ${c.qualytics}`];
  return `requests ${String(c.total).padStart(4)} (${parts.join(", ")}${c.throttled ? `, ${c.throttled}×429` : ""}${c.failed ? `, ${c.failed}×5xx` : ""})`;
}

const describeChanges = (changes: Record<string, number>) =>
  Object.entries(changes)
    .filter(([, n]) => n > 0)
    .map(([op, n]) => `${op} ${n}`)
    .join(", ");

/** URNs of the stack's resources whose type ends with `type`. */
export async function urnsOf(stack: Stack, type: string): Promise<string[]> {
  const state = await stack.exportStack();
  const resources = (state.deployment as { resources?: { urn: string; type: string }[] }).resources ?? [];
  return resources.filter((r) => shortType(r.type) === type).map((r) => r.urn);
}
