/**
 * How a caller talks to the engine driver (stack-op.ts) across a process boundary: the request it
 * passes as argv, the result it reads back after `RESULT_MARKER` on the driver's stdout. Tests and
 * the benchmark run each engine operation this way, so the Pulumi program and its closure
 * serialization run in a plain Node process, not inside the test runner's module sandbox.
 */
import { spawn } from "child_process";
import * as path from "path";
import type { EngineStackOptions } from "./engine";
import { REPO_ROOT } from "./repo-root";

/** What precedes the driver's JSON result, on the last line of its stdout. */
export const RESULT_MARKER = "@@stack-op-result@@";

/** The compiled driver (tests and the benchmark run after `tsc`). */
export const STACK_OP_SCRIPT = path.join(REPO_ROOT, "dist", "scripts", "lib", "stack-op.js");

export type StackOp = "preview" | "up" | "refresh" | "destroy" | "export" | "outputs" | "cli";

export interface StackOpRequest extends EngineStackOptions {
  op: StackOp;
  expectNoChanges?: boolean;
  /** `up`/`preview` with `--refresh`. */
  refresh?: boolean;
  /** Policy pack folders for `preview`/`up` (`--policy-pack`). */
  policyPacks?: string[];
  /** `up`/`destroy` with `--continue-on-error`: independent resources go on after one fails. */
  continueOnError?: boolean;
  /** For `cli`: arguments of a `pulumi` command run on the stack as a person types it (`--stack` is added). */
  args?: string[];
}

export interface StackOpResult {
  ok: boolean;
  error?: string;
  /** The engine's own output (what `pulumi` prints). */
  output: string;
  changeSummary?: Record<string, number>;
  outputs?: Record<string, { value: unknown; secret: boolean }>;
  deployment?: unknown;
}

/** The line the driver ends its stdout with. */
export const resultLine = (result: StackOpResult) => `\n${RESULT_MARKER}${JSON.stringify(result)}\n`;

/** The result in the driver's stdout; undefined when it printed none (it crashed). */
export function readResult(stdout: string): StackOpResult | undefined {
  const at = stdout.lastIndexOf(RESULT_MARKER);
  return at < 0 ? undefined : (JSON.parse(stdout.slice(at + RESULT_MARKER.length).trim()) as StackOpResult);
}

/**
 * Runs one operation in a driver process of its own (cwd the repo root, this process's
 * environment) and resolves with its result and what it wrote to stderr; rejects when the driver
 * printed no result.
 */
export function runStackOpProcess(request: StackOpRequest): Promise<{ result: StackOpResult; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [STACK_OP_SCRIPT, JSON.stringify(request)], { cwd: REPO_ROOT, env: process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const result = readResult(stdout);
      if (!result) return reject(new Error(`stack-op ${request.op} exited ${code} without a result:\n${stdout}\n${stderr}`));
      resolve({ result, stderr });
    });
  });
}

/**
 * Starts a driver process in the background (output ignored), for a caller that kills it
 * mid-flight.
 */
export const spawnStackOpDetached = (request: StackOpRequest) =>
  spawn(process.execPath, [STACK_OP_SCRIPT, JSON.stringify(request)], { cwd: REPO_ROOT, env: process.env, stdio: "ignore" });
