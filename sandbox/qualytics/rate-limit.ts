import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CONTROL_PREFIX } from "../common/control";
import { RATE_LIMIT_USAGE, TokenBucketLimiter, bindRateLimiter, rateLimitBody, rateLimiterOf } from "../common/rate-limit";

/**
 * The rate limiter in front of the API: a token bucket per deployment holding one second's
 * worth of requests, refilled continuously. Over the limit, a request gets 429 with
 * `Retry-After` (whole seconds until a token is back) before auth or validation, as a limiter
 * in front of the app would. Off by default; tests and benchmarks turn it on through
 * `POST /__sandbox/rate-limit {"requestsPerSecond": n}` (null or 0: off) to make a 429 storm.
 *
 * The limit is wall-clock: the sandbox's time scale shrinks how long work takes, not how fast
 * a client may call. The body is `{detail}` like every other error; the real limiter's
 * wording is unconfirmed.
 *
 * The bucket itself is the sandbox-wide one (`../common/rate-limit`); this class adds
 * Qualytics' 429 body and its seed setting.
 */
export class RateLimiter extends TokenBucketLimiter {
  constructor(requestsPerSecond: number | null, now: () => number = () => Date.now()) {
    super(requestsPerSecond, now);
  }

  /** The 429 body Qualytics answers with. */
  body(requestsPerSecond: number): unknown {
    return { detail: `Rate limit exceeded: ${requestsPerSecond} per 1 second` };
  }

  /**
   * The 429 hook for one deployment (its bucket is `key`), and the control routes. On an app
   * whose control plane is installed (it already fronts the API with a rate limit and serves
   * `/__sandbox/rate-limit`), this limiter takes that place; otherwise it adds both itself.
   */
  install(app: FastifyInstance, key: string): void {
    const controlled = rateLimiterOf(app)?.owner === "control";
    bindRateLimiter(app, { limiter: this, key: () => key, body: (rps) => this.body(rps), owner: "service" });
    if (controlled) return;

    app.addHook("onRequest", async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.url.startsWith(CONTROL_PREFIX)) return;
      const verdict = this.take(key);
      if (verdict.allowed) return;
      return reply
        .code(429)
        .header("Retry-After", String(verdict.retryAfterSeconds))
        .send(this.body(this.limit ?? 0));
    });
    app.get(`${CONTROL_PREFIX}/rate-limit`, async () => this.settings());
    app.post(`${CONTROL_PREFIX}/rate-limit`, async (req, reply) => {
      const parsed = rateLimitBody.safeParse(req.body ?? {});
      if (!parsed.success) return reply.code(400).send({ message: RATE_LIMIT_USAGE });
      this.configure((parsed.data.requestsPerSecond ?? parsed.data.rps) ?? null, parsed.data.burst);
      return this.settings();
    });
  }
}
