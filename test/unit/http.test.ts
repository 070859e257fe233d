import * as http from "http";
import type { AddressInfo } from "net";
import { HttpClient, backoffMs, retryAfterMs } from "../../provider/core/http";
import { readDatabricksError } from "../../provider/databricks/client";
import { ServiceError } from "../../provider/core/errors";

/** A tiny scripted server: each request gets the next scripted answer. */
async function scriptedServer(answers: Array<(res: http.ServerResponse, req: http.IncomingMessage) => void>) {
  const seen: { method?: string; url?: string; auth?: string; at: number }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, at: Date.now() });
    req.resume();
    const answer = answers.shift() ?? ((r) => json(r, 200, {}));
    answer(res, req);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

const client = (url: string, overrides: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) =>
  new HttpClient({
    service: "Databricks",
    baseUrl: url,
    authHeaders: () => ({ Authorization: "Bearer secret-token-value-123" }),
    readError: readDatabricksError,
    retry: { baseDelayMs: 10, maxDelayMs: 50, maxAttempts: 4, budgetMs: 5_000 },
    timeoutMs: 500,
    ...overrides,
  });

describe("the HTTP layer", () => {
  test("retries 429 and honours Retry-After before trying again", async () => {
    const s = await scriptedServer([
      (r) => json(r, 429, { error_code: "REQUEST_LIMIT_EXCEEDED", message: "slow down" }, { "retry-after": "1" }),
      (r) => json(r, 200, { ok: true }),
    ]);
    try {
      const result = await client(s.url).request({ method: "POST", path: "/api/2.0/token/create", body: {} });
      expect(result.data).toEqual({ ok: true });
      expect(s.seen).toHaveLength(2);
      expect(s.seen[1]!.at - s.seen[0]!.at).toBeGreaterThanOrEqual(950);
      expect(s.seen[0]!.auth).toBe("Bearer secret-token-value-123");
    } finally {
      await s.close();
    }
  });

  test("retries 500 and connection resets for idempotent calls only", async () => {
    const s = await scriptedServer([
      (r) => json(r, 500, { error_code: "INTERNAL_ERROR", message: "boom" }),
      (_r, req) => req.socket.destroy(),
      (r) => json(r, 200, { ok: 1 }),
      (r) => json(r, 500, { error_code: "INTERNAL_ERROR", message: "boom" }),
    ]);
    try {
      await expect(client(s.url).request({ method: "GET", path: "/a" })).resolves.toMatchObject({ data: { ok: 1 } });
      // A POST that may have been acted on is not repeated: no duplicate objects.
      await expect(client(s.url).request({ method: "POST", path: "/b", body: {} })).rejects.toThrow("Databricks POST /b failed: HTTP 500 INTERNAL_ERROR: boom");
      expect(s.seen.map((r) => r.url)).toEqual(["/a", "/a", "/a", "/b"]);
    } finally {
      await s.close();
    }
  });

  test("gives up when the attempts are spent, naming the service, the call and the cause", async () => {
    const s = await scriptedServer(
      Array.from({ length: 10 }, () => (r: http.ServerResponse) => json(r, 503, { error_code: "TEMPORARILY_UNAVAILABLE", message: "down" })),
    );
    try {
      const err = await client(s.url)
        .request({ method: "GET", path: "/x", operation: "clusters/get" })
        .catch((e) => e);
      expect(err).toBeInstanceOf(ServiceError);
      expect(err.message).toBe("Databricks clusters/get failed (after 4 attempts): HTTP 503 TEMPORARILY_UNAVAILABLE: down");
      expect(s.seen).toHaveLength(4);
    } finally {
      await s.close();
    }
  });

  test("a response slower than the timeout is a clear timeout error", async () => {
    const s = await scriptedServer(Array.from({ length: 5 }, () => (r: http.ServerResponse) => void setTimeout(() => json(r, 200, {}), 800)));
    try {
      const err = await client(s.url, { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 100 } })
        .request({ method: "GET", path: "/slow" })
        .catch((e) => e);
      expect(err.message).toMatch(/Databricks GET \/slow failed \(after 2 attempts\): no answer within 1 s \(timeout\)/);
    } finally {
      await s.close();
    }
  });

  test("secrets never appear in errors, even when the service echoes them", async () => {
    // Built at run time so no token-shaped literal sits in the repository.
    const patShaped = `dapi${"0123456789abcdef".repeat(2)}`;
    const s = await scriptedServer([
      (r) => json(r, 400, { error_code: "INVALID_PARAMETER_VALUE", message: `bad token secret-token-value-123 and ${patShaped}` }),
    ]);
    try {
      const err = await client(s.url)
        .request({ method: "GET", path: "/echo" })
        .catch((e) => e);
      expect(err.message).not.toContain("secret-token-value-123");
      expect(err.message).not.toContain(patShaped);
      expect(err.message).toContain("[REDACTED]");
    } finally {
      await s.close();
    }
  });

  test("accepted statuses are answers, not failures", async () => {
    const s = await scriptedServer([(r) => json(r, 404, { error_code: "RESOURCE_DOES_NOT_EXIST", message: "gone" })]);
    try {
      const res = await client(s.url).request({ method: "GET", path: "/gone", acceptStatuses: [404] });
      expect(res.status).toBe(404);
    } finally {
      await s.close();
    }
  });

  test("Retry-After parsing and capped, jittered backoff", () => {
    expect(retryAfterMs("3")).toBe(3000);
    expect(retryAfterMs(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(retryAfterMs("soon")).toBeUndefined();
    const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000, budgetMs: 10000 };
    expect(backoffMs(1, policy, () => 1)).toBe(100);
    expect(backoffMs(3, policy, () => 1)).toBe(400);
    expect(backoffMs(10, policy, () => 1)).toBe(1000);
    expect(backoffMs(10, policy, () => 0)).toBe(500);
  });
});
