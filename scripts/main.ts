/**
 * The main job: starts the sandbox (state kept in `.sandbox-state/`, so a second run continues),
 * deploys the main example through the real Pulumi engine on a local file backend, shows what
 * it made, proves an immediate second preview has no changes, and tears it down again.
 */
import * as fs from "fs";
import * as path from "path";
import { startSandbox } from "../sandbox";
import { openStack, REPO_ROOT } from "./engine";

const say = (line = "") => process.stdout.write(`${line}\n`);
const heading = (text: string) => say(`\n=== ${text} ===`);

async function main(): Promise<void> {
  const projectState = path.join(REPO_ROOT, ".sandbox-state");
  const configFile = path.join(REPO_ROOT, "sandbox", "seed.json");
  const seed = JSON.parse(fs.readFileSync(configFile, "utf8"));
  const workspace = seed.databricks.workspaces[0];
  const admin = workspace.users.find((u: { admin: boolean }) => u.admin);

  heading("Starting the sandbox");
  const sandbox = await startSandbox({ configFile, stateDir: path.join(projectState, "services") });
  for (const [host, url] of Object.entries(sandbox.endpoints)) say(`  ${host} -> ${url}`);

  try {
    const stack = await openStack({
      programModule: path.join(REPO_ROOT, "dist", "examples", "main", "index.js"),
      projectName: "databricks-integrations-main",
      stackName: "sandbox",
      stateDir: path.join(projectState, "pulumi"),
      config: {
        "databricks:host": `https://${workspace.host}`,
        "databricks-integrations:endpoints": JSON.stringify(sandbox.endpoints),
      },
      secretConfig: { "databricks:token": admin.tokens[0].value },
    });
    const live = { onOutput: (s: string) => process.stdout.write(s), onError: (s: string) => process.stderr.write(s) };

    heading("pulumi up (stack 'sandbox', local file backend in .sandbox-state/pulumi)");
    const up = await stack.up(live);

    heading("Outputs");
    for (const [name, output] of Object.entries(up.outputs)) {
      say(`  ${name.padEnd(14)} ${output.secret ? "[secret]" : JSON.stringify(output.value)}`);
    }
    const tokenId = up.outputs.tokenId?.value as string | undefined;
    const tokens = await fetch(`${sandbox.endpoints[workspace.host]}/api/2.0/token/list`, {
      headers: { authorization: `Bearer ${admin.tokens[0].value}` },
    }).then((r) => r.json() as Promise<{ token_infos: { token_id: string; comment: string }[] }>);
    const live_ = tokens.token_infos.find((t) => t.token_id === tokenId);
    say(`  in the workspace: ${live_ ? `token ${live_.token_id.slice(0, 12)}… "${live_.comment}"` : "NOT FOUND"}`);

    heading("Second preview (expect no changes)");
    const preview = await stack.preview({ ...live, expectNoChanges: true });
    say(`  change summary: ${JSON.stringify(preview.changeSummary)}`);

    heading("pulumi destroy");
    await stack.destroy(live);
    say("\nDone: deployed, inspected and destroyed a Databricks access token against the sandbox.");
  } finally {
    await sandbox.close();
  }
}

main().catch((err) => {
  process.stderr.write(`\nmain job failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
