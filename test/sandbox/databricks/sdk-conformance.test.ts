import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ADMIN_TOKEN, ALICE_TOKEN, BOB_TOKEN, startTestSandbox, testSeed, type SandboxHarness } from "../../helpers/databricks-sandbox";

const REPO = path.resolve(__dirname, "../../..");
const PYTHON = process.env.PDI_PYTHON ?? path.join(REPO, ".venv/bin/python");
const SCRIPT = path.join(REPO, "test/contract/databricks_sdk_conformance.py");
const POLICY = "C0FFEE0000000001";

interface CheckResult {
  check: string;
  ok: boolean;
  detail: string;
}

/**
 * The official Databricks SDK for Python against the sandbox: a conformance script of our own
 * (test/contract/databricks_sdk_conformance.py) runs every call the provider and Hopsworks'
 * configure make, through the SDK's error classes, waiters, paging and multipart upload.
 */
describe("databricks sandbox: the official Python SDK (databricks-sdk) conforms", () => {
  let h: SandboxHarness;
  beforeAll(async () => {
    const seed = testSeed();
    seed.workspaces[0]!.policies = [
      { policy_id: POLICY, name: "Short-lived", definition: JSON.stringify({ autotermination_minutes: { type: "range", maxValue: 120 } }) },
    ];
    h = await startTestSandbox({ seed, timeScale: 0.0005 });
  });
  afterAll(async () => h?.close());

  test("every check of the conformance script passes", async () => {
    if (!fs.existsSync(PYTHON))
      throw new Error(
        `no project Python at ${PYTHON}: run \`bash scripts/python-clients.sh\` (it installs databricks-sdk from scripts/python-clients.txt into .venv)`,
      );
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(PYTHON, [SCRIPT], {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? "/tmp",
          PDI_DBX_HOST: h.url(),
          PDI_DBX_ADMIN_TOKEN: ADMIN_TOKEN,
          PDI_DBX_USER_TOKEN: ALICE_TOKEN,
          PDI_DBX_OTHER_TOKEN: BOB_TOKEN,
          PDI_DBX_CLUSTER: "0101-000000-aaaaaaaa",
          PDI_DBX_POLICY: POLICY,
        },
      });
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      child.on("close", (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    const results = stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as CheckResult);
    const failed = results.filter((r) => !r.ok);
    if (code !== 0 || failed.length > 0 || results.length === 0) {
      throw new Error(
        `databricks-sdk conformance failed (exit ${code}):\n${failed.map((r) => `- ${r.check}: ${r.detail}`).join("\n")}\n${stderr.slice(-3000)}`,
      );
    }
    expect(results.map((r) => r.check)).toEqual(
      expect.arrayContaining([expect.stringMatching(/revoked token/), expect.stringMatching(/workspace.upload/), expect.stringMatching(/waiters/)]),
    );
  }, 180_000);
});
