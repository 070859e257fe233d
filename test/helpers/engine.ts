import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { StackOpRequest, StackOpResult } from "../../scripts/stack-op";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const RESULT_MARKER = "@@stack-op-result@@";

/** Absolute path of a compiled program module under `dist/` (tests run after `tsc`). */
export const compiledProgram = (relativeTsPath: string) =>
  path.join(REPO_ROOT, "dist", relativeTsPath.replace(/\.ts$/, ".js"));

/**
 * Runs one engine operation (`pulumi preview/up/refresh/destroy`, stack export) through the
 * Automation API in a child process and returns its result. Fails loudly when the engine is
 * not prepared: end-to-end tests never skip.
 */
export async function stackOp(request: StackOpRequest): Promise<StackOpResult> {
  if (!process.env.PDI_PULUMI_ROOT) {
    throw new Error("PDI_PULUMI_ROOT is not set: the Pulumi engine is required; run the tests with the README's test command (it builds the engine)");
  }
  const script = path.join(REPO_ROOT, "dist", "scripts", "stack-op.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, JSON.stringify(request)], { cwd: REPO_ROOT, env: process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const at = stdout.lastIndexOf(RESULT_MARKER);
      if (at < 0) return reject(new Error(`stack-op ${request.op} exited ${code} without a result:\n${stdout}\n${stderr}`));
      const result = JSON.parse(stdout.slice(at + RESULT_MARKER.length).trim()) as StackOpResult;
      resolve({ ...result, output: `${result.output}${stderr ? `\n[stderr]\n${stderr}` : ""}` });
    });
  });
}

/** Every file under `dir`, concatenated: the haystack a secret audit searches. */
export const readAllFiles = (dir: string): string =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .map((e) => (e.isDirectory() ? readAllFiles(path.join(dir, e.name)) : fs.readFileSync(path.join(dir, e.name), "latin1")))
    .join("\n");
