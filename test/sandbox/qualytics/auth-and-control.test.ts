import { QUALYTICS_ADMIN_TOKEN, QUALYTICS_HOST, datastoreBody, startQualyticsTestSandbox, type QualyticsHarness } from "../../helpers/qualytics-sandbox";

describe("qualytics sandbox: auth", () => {
  let h: QualyticsHarness;
  beforeEach(async () => {
    h = await startQualyticsTestSandbox();
  });
  afterEach(async () => h.close());

  test("no token or another scheme: 401 Not authenticated; unknown token: 401; both with WWW-Authenticate", async () => {
    const missing = await h.call("GET", "/api/datastores", { token: null });
    expect(missing).toEqual(expect.objectContaining({ status: 401, body: { detail: "Not authenticated" } }));
    expect(missing.headers.get("www-authenticate")).toBe("Bearer");
    const basic = await fetch(`${h.url()}/api/datastores`, { headers: { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` } });
    expect(basic.status).toBe(401);
    const wrong = await h.call("GET", "/api/datastores", { token: "not-a-qualytics-token" });
    expect(wrong).toEqual(expect.objectContaining({ status: 401, body: { detail: "Could not validate credentials" } }));
    expect((await h.call("GET", "/api/datastores", { token: QUALYTICS_ADMIN_TOKEN })).status).toBe(200);
  });

  test("auth comes before validation; nothing is created without a valid token", async () => {
    const res = await h.call("POST", "/api/datastores", { token: "nope-nope-nope", body: { name: 5 } });
    expect(res.status).toBe(401);
    const res2 = await h.call("POST", "/api/datastores", { token: null, body: datastoreBody("x") });
    expect(res2.status).toBe(401);
    expect((await h.call("GET", "/api/datastores")).body.total).toBe(0);
  });
});

describe("qualytics sandbox: control surface and rate limiter", () => {
  let h: QualyticsHarness;
  beforeEach(async () => {
    h = await startQualyticsTestSandbox();
  });
  afterEach(async () => h.close());

  test("the rate limiter is off by default and answers 429 + Retry-After once set; it can be turned off again", async () => {
    expect((await h.control("GET", "/rate-limit")).body).toEqual({ requestsPerSecond: null });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await h.call("GET", "/api/datastores")).status);
    expect(statuses.every((s) => s === 200)).toBe(true);

    expect((await h.control("POST", "/rate-limit", { requestsPerSecond: 2 })).body).toEqual({ requestsPerSecond: 2 });
    const burst = await Promise.all(Array.from({ length: 6 }, () => h.call("GET", "/api/datastores")));
    const limited = burst.filter((r) => r.status === 429);
    expect(burst.filter((r) => r.status === 200)).toHaveLength(2);
    expect(limited).toHaveLength(4);
    for (const r of limited) {
      expect(r.body).toEqual({ detail: "Rate limit exceeded: 2 per 1 second" });
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    // The limiter fronts everything, auth included: even a tokenless call is counted and refused.
    expect((await h.call("GET", "/api/datastores", { token: null })).status).toBe(429);
    // Control routes are never limited.
    expect((await h.control("GET", "/requests")).status).toBe(200);

    await h.control("POST", "/rate-limit", { requestsPerSecond: null });
    expect((await h.call("GET", "/api/datastores")).status).toBe(200);
    expect((await h.control("POST", "/rate-limit", { requestsPerSecond: -1 })).status).toBe(400);
  });

  test("tokens come back with time: after Retry-After the next call passes", async () => {
    await h.control("POST", "/rate-limit", { requestsPerSecond: 20 });
    let refused: { headers: Headers } | undefined;
    for (let i = 0; i < 40 && !refused; i++) {
      const r = await h.call("GET", "/api/datastores");
      if (r.status === 429) refused = r;
    }
    expect(refused).toBeDefined();
    expect(refused!.headers.get("retry-after")).toBe("1");
    await new Promise((r) => setTimeout(r, 100));
    expect((await h.call("GET", "/api/datastores")).status).toBe(200);
  });

  test("the rate limit can come from the seed", async () => {
    await h.close();
    h = await startQualyticsTestSandbox({
      seed: {
        rateLimit: { requestsPerSecond: 1 },
        instances: [{ host: QUALYTICS_HOST, users: [{ email: "a@example.com", tokens: [{ value: QUALYTICS_ADMIN_TOKEN }] }] }],
      },
    });
    expect((await h.call("GET", "/api/datastores")).status).toBe(200);
    expect((await h.call("GET", "/api/datastores")).status).toBe(429);
  });

  test("the request log records API calls with host and status; injected faults answer in the {detail} shape", async () => {
    await h.call("GET", "/api/datastores");
    const log = await h.control("GET", "/requests");
    expect(log.body.requests).toEqual([
      expect.objectContaining({ service: "qualytics", host: QUALYTICS_HOST, method: "GET", path: "/api/datastores", status: 200 }),
    ]);

    await h.control("POST", "/faults", { route: "GET /api/datastores", kind: "status", status: 503, retryAfterSeconds: 3 });
    const faulted = await h.call("GET", "/api/datastores");
    expect(faulted).toEqual(expect.objectContaining({ status: 503, body: { detail: "Service Unavailable" } }));
    expect(faulted.headers.get("retry-after")).toBe("3");
    expect((await h.call("GET", "/api/datastores")).status).toBe(200);
    expect((await h.control("GET", "/time")).body).toEqual({ scale: 0.001 });
  });
});
