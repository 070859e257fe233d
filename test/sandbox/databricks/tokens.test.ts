import { ADMIN_TOKEN, ALICE_TOKEN, AZURE_ADMIN_TOKEN, AZURE_HOST, startTestSandbox, type SandboxHarness } from "../../helpers/databricks-sandbox";
import { startDatabricksSandbox } from "../../../sandbox/databricks";
import { testSeed } from "../../helpers/databricks-sandbox";

describe("databricks sandbox: auth and tokens", () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await startTestSandbox();
  });
  afterEach(async () => h.close());

  test("a missing credential is 401; an unknown token is 403 with a numeric error_code and the reason header", async () => {
    const missing = await fetch(`${h.url()}/api/2.0/token/list`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error_code: "UNAUTHENTICATED", message: expect.any(String) });
    const wrong = await h.call("GET", "/api/2.0/token/list", { token: "not-a-token" });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toEqual({ error_code: 403, message: "Invalid access token." });
    expect(wrong.headers.get("x-databricks-reason-phrase")).toBe("Invalid access token.");
  });

  test("a token is valid only in its own workspace", async () => {
    expect((await h.call("GET", "/api/2.0/token/list", { token: AZURE_ADMIN_TOKEN })).status).toBe(403);
    expect((await h.call("GET", "/api/2.0/token/list", { token: AZURE_ADMIN_TOKEN, host: AZURE_HOST })).status).toBe(200);
  });

  test("create returns a dapi token once; list shows only the caller's tokens; the new token authenticates", async () => {
    const created = await h.call("POST", "/api/2.0/token/create", { body: { comment: "ci", lifetime_seconds: 3600 } });
    expect(created.status).toBe(200);
    expect(created.body.token_value).toMatch(/^dapi[0-9a-f]{32}$/);
    const info = created.body.token_info;
    expect(info).toEqual({
      token_id: expect.stringMatching(/^[0-9a-f]{64}$/),
      creation_time: expect.any(Number),
      expiry_time: expect.any(Number),
      comment: "ci",
    });
    expect(info.expiry_time - info.creation_time).toBe(3600 * 1000);

    const mine = await h.call("GET", "/api/2.0/token/list");
    expect(mine.body.token_infos.map((t: { comment: string }) => t.comment).sort()).toEqual(["ci", "seed"]);
    const alices = await h.call("GET", "/api/2.0/token/list", { token: ALICE_TOKEN });
    expect(alices.body.token_infos).toHaveLength(1);

    const asNew = await h.call("GET", "/api/2.0/token/list", { token: created.body.token_value });
    expect(asNew.status).toBe(200);
  });

  test("a token without lifetime is valid for 2 years", async () => {
    const created = await h.call("POST", "/api/2.0/token/create", { body: {} });
    const info = created.body.token_info;
    expect(info.expiry_time - info.creation_time).toBe(2 * 365 * 24 * 3600 * 1000);
  });

  test("an expired token is refused and no longer listed as usable", async () => {
    const created = await h.call("POST", "/api/2.0/token/create", { body: { lifetime_seconds: 1 } });
    await new Promise((r) => setTimeout(r, 1100));
    expect((await h.call("GET", "/api/2.0/token/list", { token: created.body.token_value })).status).toBe(403);
  });

  test("delete revokes; deleting again is 404 RESOURCE_DOES_NOT_EXIST; another user's token cannot be deleted", async () => {
    const created = await h.call("POST", "/api/2.0/token/create", { body: { comment: "tmp" } });
    const id = created.body.token_info.token_id;
    expect((await h.call("POST", "/api/2.0/token/delete", { token: ALICE_TOKEN, body: { token_id: id } })).status).toBe(404);
    expect((await h.call("POST", "/api/2.0/token/delete", { body: { token_id: id } })).status).toBe(200);
    expect((await h.call("GET", "/api/2.0/token/list", { token: created.body.token_value })).status).toBe(403);
    const again = await h.call("POST", "/api/2.0/token/delete", { body: { token_id: id } });
    expect(again.status).toBe(404);
    expect(again.body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
  });

  test("malformed JSON is a 400 in the Databricks shape; unknown endpoints are 404", async () => {
    const res = await fetch(`${h.url()}/api/2.0/token/create`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error_code: string }).error_code).toBe("MALFORMED_REQUEST");
    expect((await h.call("GET", "/api/2.0/nope")).status).toBe(404);
  });

  test("state survives a restart of the sandbox", async () => {
    const created = await h.call("POST", "/api/2.0/token/create", { body: { comment: "durable" } });
    await h.close();
    const again = await startDatabricksSandbox({ seed: testSeed(), stateDir: h.stateDir });
    try {
      const res = await fetch(`${again.endpoints[Object.keys(again.endpoints)[0]!]}/api/2.0/token/list`, {
        headers: { authorization: `Bearer ${created.body.token_value}` },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { token_infos: { comment: string }[] }).token_infos.map((t) => t.comment)).toContain("durable");
    } finally {
      await again.close();
    }
    h = await startTestSandbox(); // for afterEach
  });
});

describe("databricks sandbox: control surface", () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await startTestSandbox();
  });
  afterEach(async () => h.close());

  const control = (method: string, p: string, body?: unknown) =>
    fetch(`${h.url()}/__sandbox${p}`, { method, headers: { "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined });

  test("the request log records API calls (not control calls) with host and status", async () => {
    await h.call("GET", "/api/2.0/token/list");
    const log = (await (await control("GET", "/requests")).json()) as { requests: { method: string; path: string; status: number; host: string }[] };
    expect(log.requests).toEqual([
      expect.objectContaining({ method: "GET", path: "/api/2.0/token/list", status: 200, host: "dbc-1a2b3c4d-5e6f.cloud.databricks.com" }),
    ]);
    await control("DELETE", "/requests");
    expect(((await (await control("GET", "/requests")).json()) as { requests: unknown[] }).requests).toEqual([]);
  });

  test("a 429 fault with Retry-After answers N times, then the route works again", async () => {
    await control("POST", "/faults", { route: "GET /api/2.0/token/list", kind: "status", status: 429, retryAfterSeconds: 2, count: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await h.call("GET", "/api/2.0/token/list");
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("2");
      expect(res.body.error_code).toBe("REQUEST_LIMIT_EXCEEDED");
    }
    expect((await h.call("GET", "/api/2.0/token/list")).status).toBe(200);
  });

  test("5xx, delay and connection-reset faults", async () => {
    await control("POST", "/faults", { route: "*", kind: "status", status: 503 });
    expect((await h.call("GET", "/api/2.0/token/list")).status).toBe(503);
    await control("POST", "/faults", { route: "GET /api/2.0/token/list", kind: "delay", delayMs: 200 });
    const started = Date.now();
    expect((await h.call("GET", "/api/2.0/token/list")).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    await control("POST", "/faults", { route: "GET /api/2.0/token/list", kind: "reset" });
    await expect(h.call("GET", "/api/2.0/token/list")).rejects.toThrow();
    expect((await h.call("GET", "/api/2.0/token/list")).status).toBe(200);
  });

  test("faults can be cleared, and the time scale can be read and changed", async () => {
    await control("POST", "/faults", { route: "*", kind: "status", status: 500, count: 5 });
    await control("DELETE", "/faults");
    expect((await h.call("GET", "/api/2.0/token/list")).status).toBe(200);
    expect(await (await control("POST", "/time", { scale: 0.5 })).json()).toEqual({ scale: 0.5 });
    expect(await (await control("GET", "/time")).json()).toEqual({ scale: 0.5 });
    expect((await control("POST", "/faults", { route: "*", kind: "bogus" })).status).toBe(400);
  });
});
