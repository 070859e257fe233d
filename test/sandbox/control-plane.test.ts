import Fastify, { type FastifyInstance } from "fastify";
import { ScaledClock } from "../../sandbox/common/clock";
import { ControlPlane } from "../../sandbox/common/control";
import { Latency } from "../../sandbox/common/latency";
import { TokenBucketLimiter } from "../../sandbox/common/rate-limit";
import { controlCall, startTestSandbox, type SandboxHarness } from "../helpers/databricks-sandbox";
import { startQualyticsTestSandbox, type QualyticsHarness } from "../helpers/qualytics-sandbox";

/**
 * The control routes every sandbox service shares beyond faults, the request log and time: a
 * token-bucket rate limit (`/__sandbox/rate-limit`) answering 429 + Retry-After in the service's
 * own error shape, and added latency (`/__sandbox/latency`).
 */
describe("control plane: rate limit", () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await startTestSandbox();
  });
  afterEach(async () => h.close());
  const control = (method: string, path: string, body?: unknown) => controlCall(h.url(), method, path, body);

  test("off by default; {rps, burst} lets burst through, then 429 + Retry-After in Databricks' shape, logged; control routes never limited", async () => {
    expect((await control("GET", "/rate-limit")).body).toEqual({ requestsPerSecond: null });
    expect((await control("POST", "/rate-limit", { rps: 1, burst: 3 })).body).toEqual({ requestsPerSecond: 1, burst: 3 });
    const burst = await Promise.all(Array.from({ length: 5 }, () => h.call("GET", "/api/2.0/clusters/list")));
    expect(burst.filter((r) => r.status === 200)).toHaveLength(3);
    const limited = burst.filter((r) => r.status === 429);
    expect(limited).toHaveLength(2);
    for (const r of limited) {
      expect(r.body).toEqual({ error_code: "REQUEST_LIMIT_EXCEEDED", message: expect.any(String) });
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    const log = (await control("GET", "/requests")).body.requests as { status: number }[];
    expect(log.filter((r) => r.status === 429)).toHaveLength(2);
    expect((await control("GET", "/rate-limit")).status).toBe(200);

    expect((await control("POST", "/rate-limit", { rps: 0 })).body).toEqual({ requestsPerSecond: null });
    expect((await h.call("GET", "/api/2.0/clusters/list")).status).toBe(200);
  });

  test("the long form {requestsPerSecond} works too; bad bodies are 400", async () => {
    expect((await control("POST", "/rate-limit", { requestsPerSecond: 50 })).body).toEqual({ requestsPerSecond: 50 });
    expect((await control("POST", "/rate-limit", { requestsPerSecond: -1 })).status).toBe(400);
    expect((await control("POST", "/rate-limit", { rps: 1, requestsPerSecond: 1 })).status).toBe(400);
    expect((await control("POST", "/rate-limit", { rps: 1, burst: 0 })).status).toBe(400);
    expect((await control("POST", "/rate-limit", {})).status).toBe(400);
    expect((await control("GET", "/rate-limit")).body).toEqual({ requestsPerSecond: 50 });
  });

  test("an injected fault still comes first", async () => {
    await control("POST", "/rate-limit", { rps: 100 });
    await control("POST", "/faults", { route: "GET /api/2.0/clusters/list", kind: "status", status: 503 });
    expect((await h.call("GET", "/api/2.0/clusters/list")).status).toBe(503);
    expect((await h.call("GET", "/api/2.0/clusters/list")).status).toBe(200);
  });

  test("Qualytics keeps its own limiter and {detail} body behind the shared route, and accepts {rps, burst}", async () => {
    const q: QualyticsHarness = await startQualyticsTestSandbox();
    try {
      expect((await q.control("POST", "/rate-limit", { rps: 1, burst: 2 })).body).toEqual({ requestsPerSecond: 1, burst: 2 });
      const statuses = await Promise.all(Array.from({ length: 3 }, () => q.call("GET", "/api/datastores")));
      const limited = statuses.filter((r) => r.status === 429);
      expect(limited).toHaveLength(1);
      expect(limited[0]!.body).toEqual({ detail: "Rate limit exceeded: 1 per 1 second" });
    } finally {
      await q.close();
    }
  });

  test("the bucket refills at rps and holds at most burst", () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(2, () => now, 4);
    expect(Array.from({ length: 5 }, () => limiter.take("a").allowed)).toEqual([true, true, true, true, false]);
    expect(limiter.take("b").allowed).toBe(true); // one bucket per key
    now += 500;
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("a")).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 60_000;
    expect(Array.from({ length: 5 }, () => limiter.take("a").allowed).filter(Boolean)).toHaveLength(4);
  });
});

describe("control plane: latency", () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await startTestSandbox();
  });
  afterEach(async () => h.close());
  const control = (method: string, path: string, body?: unknown) => controlCall(h.url(), method, path, body);
  const timed = async (path: string) => {
    const started = Date.now();
    const r = await h.call("GET", path);
    return { status: r.status, ms: Date.now() - started };
  };

  test("none by default; baseMs holds every API call, perRoute overrides it, DELETE clears it; control routes are not delayed", async () => {
    expect((await control("GET", "/latency")).body).toEqual({ baseMs: 0, jitterMs: 0, perRoute: {} });
    const set = await control("POST", "/latency", { baseMs: 150, perRoute: { "GET /api/2.0/clusters/*": { baseMs: 0 } } });
    expect(set.body).toEqual({ baseMs: 150, jitterMs: 0, perRoute: { "GET /api/2.0/clusters/*": { baseMs: 0, jitterMs: 0 } } });

    const slow = await timed("/api/2.0/token/list");
    expect(slow.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(140);
    expect((await timed("/api/2.0/clusters/list")).ms).toBeLessThan(140);
    const started = Date.now();
    await control("GET", "/requests");
    expect(Date.now() - started).toBeLessThan(140);

    expect((await control("DELETE", "/latency")).body).toEqual({ baseMs: 0, jitterMs: 0, perRoute: {} });
    expect((await timed("/api/2.0/token/list")).ms).toBeLessThan(140);
  });

  test("bad settings are 400 and change nothing", async () => {
    expect((await control("POST", "/latency", { baseMs: -1 })).status).toBe(400);
    expect((await control("POST", "/latency", { perRoute: { "/no-method": { baseMs: 1 } } })).status).toBe(400);
    expect((await control("GET", "/latency")).body).toEqual({ baseMs: 0, jitterMs: 0, perRoute: {} });
  });

  test("route patterns: * for any characters, :name for one segment, METHOD * for any method; jitter is within [0, jitterMs]", () => {
    const latency = new Latency(() => 0.5);
    latency.configure({
      baseMs: 10,
      jitterMs: 4,
      perRoute: {
        "POST /project/:id/integrations/databricks/:host/clusters/:cluster": { baseMs: 500, jitterMs: 0 },
        "* /api/datastores/connection*": { baseMs: 100, jitterMs: 20 },
      },
    });
    expect(latency.delayFor("POST", "/project/119/integrations/databricks/dbc-1.cloud.databricks.com/clusters/0101-x")).toBe(500);
    expect(latency.delayFor("GET", "/project/119/integrations/databricks/dbc-1.cloud.databricks.com/clusters/0101-x")).toBe(12);
    expect(latency.delayFor("post", "/api/datastores/connection")).toBe(110);
    expect(latency.delayFor("GET", "/api/datastores")).toBe(12);
  });
});

describe("control plane: a bare app", () => {
  let app: FastifyInstance;
  afterEach(async () => app.close());

  test("the default 429 body is the service's 429 fault body", async () => {
    const control = new ControlPlane("svc", new ScaledClock(1));
    control.faultBody = (status) => ({ code: status, why: "custom" });
    app = Fastify();
    control.install(app, () => "svc.example.com");
    app.get("/x", async () => ({ ok: true }));
    const base = await app.listen({ host: "127.0.0.1", port: 0 });
    await controlCall(base, "POST", "/rate-limit", { rps: 1 });
    expect((await fetch(`${base}/x`)).status).toBe(200);
    const limited = await fetch(`${base}/x`);
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ code: 429, why: "custom" });
    expect(limited.headers.get("retry-after")).toBe("1");
  });
});
