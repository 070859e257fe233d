import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../scripts/lib/repo-root";
import { runStackOpProcess, spawnStackOpDetached, type StackOpRequest, type StackOpResult } from "../../scripts/lib/stack-op-process";

/** Absolute path of a compiled program module under `dist/` (tests run after `tsc`). */
export const compiledProgram = (relativeTsPath: string) => path.join(REPO_ROOT, "dist", relativeTsPath.replace(/\.ts$/, ".js"));

/**
 * Runs one engine operation (`pulumi preview/up/refresh/destroy`, stack export) through the
 * Automation API in a child process and returns its result. Fails loudly when the engine is
 * not prepared: end-to-end tests never skip.
 */
export async function stackOp(request: StackOpRequest): Promise<StackOpResult> {
  if (!process.env.PDI_PULUMI_ROOT) {
    throw new Error("PDI_PULUMI_ROOT is not set: the Pulumi engine is required; run the tests with the README's test command (it builds the engine)");
  }
  const { result, stderr } = await runStackOpProcess(request);
  return { ...result, output: `${result.output}${stderr ? `\n[stderr]\n${stderr}` : ""}` };
}

/**
 * Starts `pulumi <op>` in the background (the same child process `stackOp` runs) so a test can
 * kill the engine mid-flight; `kill` sends SIGKILL to that process and everything it started (the
 * `pulumi` CLI, the provider plugin): no cleanup runs, as when a deploy machine dies.
 */
export function startStackOp(request: StackOpRequest): { kill(): void; exited: Promise<number | null> } {
  const child = spawnStackOpDetached(request);
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    exited,
    kill() {
      for (const pid of [...descendantsOf(child.pid!), child.pid!]) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }
    },
  };
}

/** Every process below `pid`, deepest first, read from /proc (Linux). */
function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the parenthesised command name: state, ppid, ...
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* exited meanwhile */
    }
  }
  const walk = (p: number): number[] => (children.get(p) ?? []).flatMap((c) => [...walk(c), c]);
  return walk(pid);
}

/**
 * The distinct errors of a failed operation's engine output, as a person reads them: each
 * `error: …` line, and the `* …` items under an `error: N error(s) occurred:` line (how the
 * engine shows a partial failure's reasons).
 */
export function engineErrors(result: { output: string; error?: string }): string[] {
  const lines = result.output.split("\n");
  const errors: string[] = [];
  lines.forEach((line, i) => {
    // The engine's summary lines say nothing of their own.
    if (!/error: /.test(line) || /error: (update failed|resource init failed)\s*$|\d+ errors?$/.test(line)) return;
    if (/error: \d+ errors? occurred:/.test(line)) {
      for (let j = i + 1; j < lines.length && /^\s*\* /.test(lines[j]!); j++) errors.push(lines[j]!.replace(/^\s*\* /, "").trim());
    } else errors.push(line.replace(/^.*?error: /, "").trim());
  });
  return [...new Set(errors)];
}
