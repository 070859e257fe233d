/**
 * The main job (`bash scripts/main.sh [deploy|drift|destroy]`).
 *
 * - deploy (default): makes sure the sandbox runs (a background process whose state lives in
 *   `.sandbox-state/`, so every run continues the last), deploys the whole platform
 *   (examples/main) with `pulumi up --refresh` on a local file backend, prints the outputs, shows
 *   that an immediate second preview has no changes, and says how to cause drift and tear down.
 * - drift: `pulumi preview --refresh --expect-no-changes --json` turned into the markdown drift
 *   report (exit 2 on drift).
 * - destroy: `pulumi destroy` of the stack; the sandbox keeps running until `sandbox.sh stop`.
 */
import * as path from "path";
import type { Stack } from "@pulumi/pulumi/automation";
import { driftReport, type PreviewJson } from "../provider/gitops/drift-report";
import { Home } from "../sandbox/cli/home";
import { startDaemon } from "../sandbox/cli/lifecycle";
import { openStack, previewJson } from "./lib/engine";
import { MAIN_PROJECT, MAIN_STACK, readSeed, sandboxStackConfig } from "./lib/platform-config";
import { REPO_ROOT } from "./lib/repo-root";

const say = (line = "") => process.stdout.write(`${line}\n`);
const heading = (text: string) => say(`\n=== ${text} ===`);
const live = { onOutput: (s: string) => process.stdout.write(s), onError: (s: string) => process.stderr.write(s) };

const SANDBOX_HOME = process.env.PDI_SANDBOX_HOME ?? path.join(REPO_ROOT, ".sandbox-state");
const EXAMPLE_CLUSTER = () => readSeed(REPO_ROOT).databricks.workspaces[0].clusters[0].cluster_id;

async function mainStack(): Promise<Stack> {
  heading("Sandbox");
  const { record: sandbox, started } = await startDaemon(new Home(SANDBOX_HOME), path.join(REPO_ROOT, "sandbox", "seed.json"));
  say(
    started
      ? `  started in the background (pid ${sandbox.pid}); state in ${path.relative(REPO_ROOT, sandbox.stateDir)}/`
      : `  already running (pid ${sandbox.pid})`,
  );
  for (const [host, url] of Object.entries(sandbox.endpoints)) say(`  ${host.padEnd(44)} -> ${url}`);
  const { config, secretConfig } = sandboxStackConfig(readSeed(REPO_ROOT), sandbox.endpoints);
  return openStack({
    programModule: path.join(REPO_ROOT, "dist", "examples", "main", "index.js"),
    projectName: MAIN_PROJECT,
    stackName: MAIN_STACK,
    stateDir: path.join(SANDBOX_HOME, "pulumi"),
    config,
    secretConfig,
  });
}

function printOutputs(outputs: Record<string, { value: unknown; secret: boolean }>): void {
  for (const [name, output] of Object.entries(outputs)) {
    if (output.secret) say(`  ${name}: [secret]`);
    else if (typeof output.value === "string" && output.value.includes("\n")) say(`  ${name}:\n${output.value.replace(/^/gm, "      ")}`);
    else say(`  ${name}: ${JSON.stringify(output.value, null, 2).replace(/\n/g, "\n  ")}`);
  }
}

async function deploy(): Promise<number> {
  const stack = await mainStack();
  // --refresh: compare with the live services first, so a deploy also repairs drift.
  heading(`pulumi up --refresh (stack '${MAIN_STACK}', local file backend in .sandbox-state/pulumi)`);
  const up = await stack.up({ ...live, refresh: true });
  const changes = up.summary.resourceChanges ?? {};
  say(
    `\n  this run: ${Object.entries(changes)
      .map(([op, n]) => `${op} ${n}`)
      .join(", ")}`,
  );
  if (!changes.create && !changes.update && !changes.replace && !changes.delete) say("  (nothing new to deploy: the stack already matched the program)");

  heading("Outputs");
  printOutputs(up.outputs);

  heading("Second preview (expect no changes)");
  const preview = await stack.preview({ ...live, expectNoChanges: true });
  say(`\n  change summary: ${JSON.stringify(preview.changeSummary)} -> no changes`);

  heading("Next");
  say(`  See what the services hold:   bash scripts/sandbox.sh list`);
  say(`  Cause drift, as a person in the Databricks console would:`);
  say(`                                bash scripts/sandbox.sh change remove-hopsworks-spark-keys --cluster ${EXAMPLE_CLUSTER()}`);
  say(`                                (bash scripts/sandbox.sh changes lists the others)`);
  say(`  See it:                       bash scripts/main.sh drift`);
  say(`  Repair it:                    bash scripts/main.sh`);
  say(`  Tear down:                    bash scripts/main.sh destroy && bash scripts/sandbox.sh stop`);
  return 0;
}

async function drift(): Promise<number> {
  const stack = await mainStack();
  // The command the scheduled CI job runs (examples/gitops/workflows/pulumi-drift.yml).
  heading("pulumi preview --refresh --expect-no-changes --json -> drift report");
  const preview = await previewJson(stack, { refresh: true, expectNoChanges: true });
  const report = driftReport(preview.json as PreviewJson, `Drift report: ${MAIN_PROJECT}/${MAIN_STACK}`);
  say(`  pulumi preview exited ${preview.exitCode}\n`);
  process.stdout.write(report.markdown);
  if (report.drifted) say("\n  Repair it: bash scripts/main.sh");
  return report.drifted ? 2 : 0;
}

async function destroy(): Promise<number> {
  const stack = await mainStack();
  heading("pulumi destroy");
  await stack.destroy(live);
  say("\n  The stack is empty; the sandbox still runs (bash scripts/sandbox.sh stop).");
  return 0;
}

const commands: Record<string, () => Promise<number>> = { deploy, drift, destroy };
const command = process.argv[2] ?? "deploy";
const run = commands[command];
if (!run) {
  process.stderr.write(`unknown command "${command}": use one of ${Object.keys(commands).join(", ")}\n`);
  process.exit(2);
}
run().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`\nmain job (${command}) failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
