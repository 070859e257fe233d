/**
 * Runs one engine operation on a stack in its own process and prints the result as JSON on the
 * last line of stdout (after `RESULT_MARKER`). Tests drive the engine through this so the
 * Pulumi program and its closure serialization run in a plain Node process, not inside the
 * test runner's module sandbox.
 */
import type { LocalWorkspace } from "@pulumi/pulumi/automation";
import { openStack, type EngineStackOptions } from "./engine";

export const RESULT_MARKER = "@@stack-op-result@@";

export type StackOp = "preview" | "up" | "refresh" | "destroy" | "export" | "outputs";

export interface StackOpRequest extends EngineStackOptions {
  op: StackOp;
  expectNoChanges?: boolean;
  /** `up`/`preview` with `--refresh`. */
  refresh?: boolean;
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

async function run(request: StackOpRequest): Promise<StackOpResult> {
  let output = "";
  const onOutput = (s: string) => {
    output += s;
  };
  try {
    const stack = await openStack(request);
    const common = { onOutput, onError: onOutput, expectNoChanges: request.expectNoChanges };
    switch (request.op) {
      case "preview": {
        const r = await stack.preview({ ...common, refresh: request.refresh });
        return { ok: true, output, changeSummary: r.changeSummary as Record<string, number> };
      }
      case "up": {
        const r = await stack.up({ ...common, refresh: request.refresh });
        return { ok: true, output, changeSummary: r.summary.resourceChanges as Record<string, number>, outputs: r.outputs };
      }
      case "refresh": {
        const r = await stack.refresh(common);
        return { ok: true, output, changeSummary: r.summary.resourceChanges as Record<string, number> };
      }
      case "destroy": {
        const r = await stack.destroy(common);
        return { ok: true, output, changeSummary: r.summary.resourceChanges as Record<string, number> };
      }
      case "export": {
        // `pulumi stack export` as a person runs it. (The Automation API's exportStack adds
        // --show-secrets, which would defeat the point of looking for plaintext secrets.)
        const ws = stack.workspace as LocalWorkspace;
        // `run` is public at run time but not in the SDK's type declarations.
        const cli = ws.pulumiCommand as unknown as { run(args: string[], cwd: string, env: Record<string, string>): Promise<{ stdout: string }> };
        const r = await cli.run(["stack", "export", "--stack", stack.name], ws.workDir, ws.envVars);
        return { ok: true, output, deployment: JSON.parse(r.stdout) };
      }
      case "outputs":
        return { ok: true, output, outputs: await stack.outputs() };
    }
  } catch (err) {
    return { ok: false, output, error: err instanceof Error ? err.message : String(err) };
  }
}

if (require.main === module) {
  const request = JSON.parse(process.argv[2] ?? "{}") as StackOpRequest;
  run(request).then(
    (result) => {
      process.stdout.write(`\n${RESULT_MARKER}${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (err) => {
      process.stderr.write(String(err));
      process.exit(1);
    },
  );
}
