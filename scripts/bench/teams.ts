/**
 * The many-stacks phase: K teams' stacks (scripts/bench/programs/team.ts) deployed at once, each
 * from its own process (as K CI runners would), against one PostgreSQL state backend and one
 * sandbox. Reports the wall time against one stack alone × K / concurrency, and every failure.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runStackOpProcess, type StackOpRequest, type StackOpResult } from "../lib/stack-op-process";
import { startPostgres } from "../lib/state-servers";
import { program } from "./stacks";

export interface TeamsResult {
  teams: number;
  resourcesPerStack: number;
  /** Stacks deployed at the same time (one process each). */
  concurrency: number;
  backend: string;
  /** One stack's `up` alone (the first team), before the others. */
  aloneMs: number;
  /** The other teams' `up`s, all at once: from the first start to the last end. */
  wallMs: number;
  /** aloneMs × stacks / concurrency: what perfect concurrency would give. */
  idealMs: number;
  ratio: number;
  /** The same with concurrency capped at the machine's cores (each engine and provider process is CPU-bound here). */
  cores: number;
  coreIdealMs: number;
  coreRatio: number;
  /** Each concurrent stack's own time. */
  stackMs: number[];
  failures: string[];
  destroyMs: number;
}

/** One engine operation in a process of its own (the driver, dist/scripts/lib/stack-op.js), timed. */
async function stackOpProcess(request: StackOpRequest): Promise<StackOpResult & { ms: number }> {
  const t0 = Date.now();
  const { result } = await runStackOpProcess(request);
  return { ...result, ms: Date.now() - t0 };
}

export async function manyStacks(options: {
  dir: string;
  teams: number;
  sources: number;
  config: Record<string, string>;
  secretConfig: Record<string, string>;
  env: Record<string, string>;
  say: (line: string) => void;
}): Promise<TeamsResult> {
  const postgres = await startPostgres();
  const request = (team: number, op: StackOpRequest["op"]): StackOpRequest => {
    const name = `team${String(team).padStart(2, "0")}`;
    const stateDir = path.join(options.dir, name);
    fs.mkdirSync(stateDir, { recursive: true });
    return {
      op,
      programModule: program("team"),
      projectName: "bench-teams",
      stackName: name,
      stateDir,
      backendUrl: postgres.backendUrl,
      config: { ...options.config, "bench:team": name, "bench:sources": String(options.sources) },
      secretConfig: options.secretConfig,
      env: options.env,
    };
  };
  const failures: string[] = [];
  const check = (team: number, r: StackOpResult & { ms: number }) => {
    if (!r.ok) failures.push(`team ${team} ${r.error ?? "failed"}`.slice(0, 300));
    return r.ms;
  };
  try {
    const stacks = options.teams;
    const alone = await stackOpProcess(request(0, "up"));
    const aloneMs = check(0, alone);
    options.say(`  up: team00 alone (${options.sources + 2} resources)`.padEnd(50) + `${(aloneMs / 1000).toFixed(1).padStart(6)} s`);
    const others = Array.from({ length: stacks - 1 }, (_, i) => i + 1);
    const t0 = Date.now();
    const results = await Promise.all(others.map((t) => stackOpProcess(request(t, "up"))));
    const wallMs = Date.now() - t0;
    const stackMs = results.map((r, i) => check(others[i]!, r));
    options.say(
      `  up: ${others.length} teams at once`.padEnd(50) +
        `${(wallMs / 1000).toFixed(1).padStart(6)} s  (each ${stackMs.map((ms) => (ms / 1000).toFixed(1)).join(", ")} s)`,
    );
    const d0 = Date.now();
    const destroyed = await Promise.all([0, ...others].map((t) => stackOpProcess(request(t, "destroy"))));
    destroyed.forEach((r, i) => check(i, r));
    const destroyMs = Date.now() - d0;
    options.say(`  destroy: ${stacks} teams at once`.padEnd(50) + `${(destroyMs / 1000).toFixed(1).padStart(6)} s`);
    const concurrency = others.length;
    const idealMs = Math.round((aloneMs * others.length) / concurrency);
    const cores = os.cpus().length;
    const coreIdealMs = Math.round((aloneMs * others.length) / Math.min(cores, concurrency));
    return {
      teams: stacks,
      resourcesPerStack: options.sources + 2,
      concurrency,
      backend: "PostgreSQL (initdb, loopback)",
      aloneMs,
      wallMs,
      idealMs,
      ratio: Math.round((wallMs / idealMs) * 100) / 100,
      cores,
      coreIdealMs,
      coreRatio: Math.round((wallMs / coreIdealMs) * 100) / 100,
      stackMs,
      failures,
      destroyMs,
    };
  } finally {
    await postgres.close();
  }
}
