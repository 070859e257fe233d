import * as fs from "fs";
import { ADMIN_TOKEN, ALICE_TOKEN, AWS_HOST, startTestSandbox, type SandboxHarness } from "../helpers/databricks-sandbox";
import { EngineHarness } from "../helpers/engine-harness";
import type { StackOpRequest } from "../../scripts/lib/stack-op-process";

jest.setTimeout(180_000);

/**
 * The access token through the real engine: preview, up, no-op preview (zero requests),
 * refresh, out-of-band revocation, refresh drops it, up recreates it, destroy leaves nothing.
 */
describe("DatabricksAccessToken end to end (real engine, sandbox workspace)", () => {
  let h: SandboxHarness;
  /** The token stack; its audit searches every token used or issued in everything the engine printed or stored. */
  let stack: EngineHarness;
  let base: Omit<StackOpRequest, "op">;
  const stackOp = (request: StackOpRequest) => stack.stackOp(request);

  beforeAll(async () => {
    h = await startTestSandbox({ timeScale: 0.001 });
    stack = new EngineHarness({
      name: "e2e-token",
      program: "test/e2e/programs/access-token.ts",
      projectName: "token-e2e",
      stackName: "dev",
      endpoints: h.sandbox.endpoints,
      config: { "databricks:host": `https://${AWS_HOST}`, "test:comment": "e2e token", "test:lifetimeDays": "30" },
      secretConfig: { "databricks:token": ADMIN_TOKEN },
      secrets: [ADMIN_TOKEN, ALICE_TOKEN],
      sandboxUrls: [h.url(AWS_HOST)],
      stop: () => h.close(),
    });
    base = stack.base;
  });
  afterAll(async () => (stack ? stack.close() : h?.close()));

  const apiRequests = async () => {
    const res = await fetch(`${h.url()}/__sandbox/requests`);
    return ((await res.json()) as { requests: { method: string; path: string }[] }).requests;
  };
  const clearRequests = () => fetch(`${h.url()}/__sandbox/requests`, { method: "DELETE" });
  const liveTokens = async () => (await h.call("GET", "/api/2.0/token/list")).body.token_infos as { token_id: string; comment: string }[];
  const run = (op: StackOpRequest["op"], extra: Partial<StackOpRequest> = {}) => stack.run(op, extra);

  test("the full lifecycle", async () => {
    const preview = await run("preview");
    expect(preview.changeSummary).toEqual({ create: 2 });

    const up = await run("up");
    expect(up.changeSummary).toEqual({ create: 2 });
    const tokenId = up.outputs!.tokenId!.value as string;
    const value = up.outputs!.value!;
    expect(value.secret).toBe(true);
    expect(up.outputs!.host!.value).toBe(AWS_HOST);
    // The token exists on the workspace, carries the comment, and works.
    const created = (await liveTokens()).find((t) => t.token_id === tokenId);
    // The marker: `pulumi:<attempt>`, or `pulumi:<owner>:<attempt>` with the resource's owner part.
    expect(created?.comment).toMatch(/^e2e token \[pulumi:(?:[0-9a-f]{8}:)?[0-9a-f]{8}\]$/);
    expect((await h.call("GET", "/api/2.0/token/list", { token: value.value as string })).status).toBe(200);
    const expiry = Date.parse(up.outputs!.expiryTime!.value as string);
    expect(Math.round((expiry - Date.now()) / 86_400_000)).toBe(30);

    // A preview of an unchanged program sends no request at all to the service.
    await clearRequests();
    const noop = await run("preview", { expectNoChanges: true });
    expect(noop.changeSummary).toEqual({ same: 2 });
    expect(await apiRequests()).toEqual([]);

    const refresh = await run("refresh", { expectNoChanges: true });
    expect(refresh.changeSummary).toEqual({ same: 2 });

    // Revoked out of band, as a person would in the workspace UI.
    expect((await h.call("POST", "/api/2.0/token/delete", { body: { token_id: tokenId } })).status).toBe(200);
    const refreshAfterRevoke = await run("refresh");
    expect(refreshAfterRevoke.changeSummary).toEqual({ same: 1, delete: 1 });

    const upAgain = await run("up");
    expect(upAgain.changeSummary).toEqual({ same: 1, create: 1 });
    const newId = upAgain.outputs!.tokenId!.value as string;
    expect(newId).not.toBe(tokenId);
    expect((await liveTokens()).map((t) => t.token_id)).toContain(newId);

    // The masked export (searched by the secret audit below) holds the new token's id.
    const exported = JSON.stringify((await run("export")).deployment);
    expect(exported).toContain(newId);
    // The provider log is written, so the audit's search of it means something.
    expect(fs.readFileSync(stack.logFile, "utf8")).toMatch(/Databricks POST \/api\/2.0\/token\/create/);

    const destroy = await run("destroy");
    expect(destroy.changeSummary).toEqual({ delete: 2 });
    // Only the seed token of the admin is left.
    expect((await liveTokens()).map((t) => t.comment)).toEqual(["seed"]);
  });

  test("a per-resource authToken overrides the stack's credentials and stays secret", async () => {
    // Also a token without lifetimeDays: Databricks gives it 2 years, and expiryTime says so.
    const { "test:lifetimeDays": _lifetime, ...config } = base.config!;
    const request = { ...base, config, stackName: "as-alice", secretConfig: { ...base.secretConfig, "test:authToken": ALICE_TOKEN } };
    const up = await stackOp({ ...request, op: "up" });
    if (!up.ok) throw new Error(`${up.error}\n${up.output}`);
    const tokenId = up.outputs!.tokenId!.value as string;
    const info = (
      (await h.call("GET", "/api/2.0/token/list", { token: ALICE_TOKEN })).body.token_infos as {
        token_id: string;
        expiry_time: number;
        creation_time: number;
      }[]
    ).find((t) => t.token_id === tokenId)!;
    expect(info.expiry_time - info.creation_time).toBe(2 * 365 * 24 * 3600 * 1000);
    expect(up.outputs!.expiryTime!.value).toBe(new Date(info.expiry_time).toISOString());
    const alices = (await h.call("GET", "/api/2.0/token/list", { token: ALICE_TOKEN })).body.token_infos as { token_id: string }[];
    expect(alices.map((t) => t.token_id)).toContain(tokenId);
    expect((await liveTokens()).map((t) => t.token_id)).not.toContain(tokenId);
    const exported = JSON.stringify((await stackOp({ ...request, op: "export" })).deployment);
    expect(exported).toContain(tokenId);
    expect((await stackOp({ ...request, op: "destroy" })).ok).toBe(true);
    expect((await h.call("GET", "/api/2.0/token/list", { token: ALICE_TOKEN })).body.token_infos).toHaveLength(1);
  });

  test("bad input fails at check time, naming the field and the rule, and creates nothing", async () => {
    const badLifetime = await stackOp({
      ...base,
      stackName: "bad-lifetime",
      op: "preview",
      config: { ...base.config, "test:lifetimeDays": "0" },
    });
    expect(badLifetime.ok).toBe(false);
    expect(badLifetime.output).toMatch(/lifetimeDays: must be at least 1 day/);

    const badHost = await stackOp({
      ...base,
      stackName: "bad-host",
      op: "up",
      config: { ...base.config, "test:host": "https://dbc-1a2b3c4d-5e6f.cloud.databricks.com/?o=123#workspace" },
    });
    expect(badHost.ok).toBe(false);
    expect(badHost.output).toMatch(/host: must be the workspace host only, without a path/);

    const notDatabricks = await stackOp({
      ...base,
      stackName: "bad-host-2",
      op: "preview",
      config: { ...base.config, "test:host": "example.com" },
    });
    expect(notDatabricks.ok).toBe(false);
    expect(notDatabricks.output).toMatch(/host: "example.com" is not a Databricks workspace host; expected forms are AWS: /);
    expect((await liveTokens()).map((t) => t.comment)).toEqual(["seed"]);
  });

  test("secret audit: no token (seeded, issued or per-resource) in the exported stacks, state, engine output or provider log", async () => {
    const summary = await stack.verifySecrets();
    // Two seeded tokens of the sandbox plus the three the stacks created, at least.
    expect(summary.secrets).toBeGreaterThanOrEqual(5);
    expect(summary.providers).toBeGreaterThan(0);
    expect(summary.missing).toEqual([]);
  });
});
