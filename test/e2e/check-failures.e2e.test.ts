import * as fs from "fs";
import * as path from "path";
import { ADMIN_TOKEN, AWS_HOST, startTestSandbox, type SandboxHarness } from "../helpers/databricks-sandbox";
import { EngineHarness } from "../helpers/engine-harness";

jest.setTimeout(180_000);

/**
 * Check failures on secret inputs, on the real engine. For a failure with `property` set the
 * engine prints the property's value ("property authToken value {…} has a problem: …"), even a
 * secret's (only values from secret stack config are masked, by the engine's output filter); for
 * one with `property: ""` it prints only the reason. So the provider reports a bad secret without
 * a property, naming the field in the reason, and the value appears nowhere in the output. The
 * secret here is read from a file, as people do, keeping the file's trailing newline.
 */
describe("check failures on secret inputs (real engine)", () => {
  let h: SandboxHarness;
  let stack: EngineHarness;
  let secretFile: string;
  /** Bad on purpose (a file's trailing newline), and never a real token's shape. */
  const CANARY = "sandbox-canary-secret-value-e2e";
  const everything = (r: { output: string; error?: string }) => `${r.output}\n${r.error ?? ""}`;

  beforeAll(async () => {
    h = await startTestSandbox({ timeScale: 0.001 });
    stack = new EngineHarness({
      name: "e2e-check",
      program: "test/e2e/programs/check-failures.ts",
      projectName: "check-failures",
      stackName: "check-failures",
      endpoints: h.sandbox.endpoints,
      config: { "databricks:host": AWS_HOST },
      secretConfig: { "databricks:token": ADMIN_TOKEN },
      stop: () => h.close(),
    });
    secretFile = path.join(stack.stateDir, "token.txt");
    fs.writeFileSync(secretFile, `${CANARY}\n`);
  });
  afterAll(async () => (stack ? stack.close() : h?.close()));

  const preview = (stackName: string, config: Record<string, string>) =>
    stack.op("preview", { stackName, config: { "test:secretFile": secretFile, ...config } });

  test('the engine prints a failure\'s property value (masked for a secret since v3.276), and nothing with property ""', async () => {
    const withProperty = await preview("with-property", { "test:mode": "shape", "test:property": "authToken" });
    expect(withProperty.ok).toBe(false);
    // The engine shows the value of a failure's property. Engines up to v3.259 showed a secret's
    // in plaintext; v3.276 masks it. The provider never sets `property` for a secret input, so that
    // no engine a user may run prints it.
    expect(everything(withProperty)).toMatch(/property authToken value \{\[secret\]\} has a problem: authToken: has leading or trailing whitespace/);
    expect(everything(withProperty)).not.toContain(CANARY);

    const withoutProperty = await preview("without-property", { "test:mode": "shape", "test:property": "" });
    expect(withoutProperty.ok).toBe(false);
    expect(everything(withoutProperty)).toMatch(/resource 'shape' has a problem: authToken: has leading or trailing whitespace/);
    expect(everything(withoutProperty)).not.toContain(CANARY);
  });

  test("a bad authToken fails preview with the field named and the value nowhere in the output", async () => {
    await fetch(`${h.url()}/__sandbox/requests`, { method: "DELETE" });
    const result = await preview("token", { "test:mode": "token" });
    expect(result.ok).toBe(false);
    const output = everything(result);
    expect(output).toMatch(
      /resource 'ci-token' has a problem: authToken: has leading or trailing whitespace \(often a newline pasted or read from a file\); remove it where the value is set/,
    );
    expect(output).not.toContain(CANARY);
    // Refused at check: the workspace never saw the bad token.
    const requests = (await (await fetch(`${h.url()}/__sandbox/requests`)).json()) as { requests: unknown[] };
    expect(requests.requests).toEqual([]);
  });
});
