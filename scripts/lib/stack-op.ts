/**
 * The engine driver: runs one engine operation on a stack in its own process and prints the
 * result as JSON on the last line of stdout (the protocol of stack-op-process.ts, whose
 * `runStackOpProcess` is how tests and the benchmark call it).
 */
import { exportStackMasked, openStack, runCli } from "./engine";
import { resultLine, type StackOpRequest, type StackOpResult } from "./stack-op-process";

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
        const r = await stack.preview({ ...common, refresh: request.refresh, policyPacks: request.policyPacks });
        return { ok: true, output, changeSummary: r.changeSummary as Record<string, number> };
      }
      case "up": {
        const r = await stack.up({ ...common, refresh: request.refresh, policyPacks: request.policyPacks, continueOnError: request.continueOnError });
        return { ok: true, output, changeSummary: r.summary.resourceChanges as Record<string, number>, outputs: r.outputs };
      }
      case "refresh": {
        const r = await stack.refresh(common);
        return { ok: true, output, changeSummary: r.summary.resourceChanges as Record<string, number> };
      }
      case "destroy": {
        const r = await stack.destroy({ ...common, continueOnError: request.continueOnError });
        return { ok: true, output, changeSummary: r.summary.resourceChanges as Record<string, number> };
      }
      case "export":
        // Without --show-secrets: the point is to look for plaintext secrets.
        return { ok: true, output, deployment: await exportStackMasked(stack) };
      case "outputs":
        return { ok: true, output, outputs: await stack.outputs() };
      case "cli": {
        const r = await runCli(stack, request.args ?? []);
        return {
          ok: r.exitCode === 0,
          output: r.output,
          error: r.exitCode === 0 ? undefined : `pulumi ${(request.args ?? []).join(" ")} exited ${r.exitCode}`,
        };
      }
    }
  } catch (err) {
    return { ok: false, output, error: err instanceof Error ? err.message : String(err) };
  }
}

if (require.main === module) {
  const request = JSON.parse(process.argv[2] ?? "{}") as StackOpRequest;
  run(request).then(
    (result) => {
      process.stdout.write(resultLine(result));
      process.exit(0);
    },
    (err) => {
      process.stderr.write(String(err));
      process.exit(1);
    },
  );
}
