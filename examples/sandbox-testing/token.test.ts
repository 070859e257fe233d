import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { DatabricksAccessToken } from "pulumi-databricks-integrations";
import { seedFile, startSandbox, type Sandbox } from "pulumi-databricks-integrations/sandbox";

// The seeded workspace and its admin's token (sandbox/seed.json).
const HOST = "dbc-7f3e2a1b-9c4d.cloud.databricks.com";
const ADMIN_TOKEN = "sandbox-token-platform-admin";

jest.setTimeout(120_000);

let sandbox: Sandbox;
let stateDir: string;
let stack: Stack;

beforeAll(async () => {
  sandbox = await startSandbox({ configFile: seedFile });
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "my-stack-"));
  stack = await LocalWorkspace.createOrSelectStack(
    {
      projectName: "my-project",
      stackName: "test",
      // The program under test; usually imported from the project's own module.
      program: async () => {
        const token = new DatabricksAccessToken("ci", { comment: "ci", lifetimeDays: 1 });
        return { tokenId: token.tokenId };
      },
    },
    { envVars: { PULUMI_BACKEND_URL: `file://${stateDir}`, PULUMI_CONFIG_PASSPHRASE: "test" } },
  );
  await stack.setAllConfig({
    "databricks:host": { value: HOST },
    "databricks:token": { value: ADMIN_TOKEN, secret: true },
    "databricks-integrations:endpoints": { value: JSON.stringify(sandbox.endpoints) },
  });
});

afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

/** The token ids the sandbox workspace holds, read as any Databricks client would. */
async function tokenIds(): Promise<string[]> {
  const res = await fetch(`${sandbox.endpoints[HOST]}/api/2.0/token/list`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  const body = (await res.json()) as { token_infos?: { token_id: string }[] };
  return (body.token_infos ?? []).map((t) => t.token_id);
}

test("the program deploys a token and destroys it", async () => {
  const up = await stack.up();
  expect(await tokenIds()).toContain(up.outputs.tokenId.value);

  await stack.destroy();
  expect(await tokenIds()).not.toContain(up.outputs.tokenId.value);
});
