import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { CONTROL_PREFIX } from "../common/control";

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
 */

const configBody = z.object({ requestsPerSecond: z.number().min(0).nullable() });

interface Bucket {
  tokens: number;
  refilledAt: number;
}

export class RateLimiter {
  private requestsPerSecond: number | null = null;
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    requestsPerSecond: number | null,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.configure(requestsPerSecond);
  }

  get limit(): number | null {
    return this.requestsPerSecond;
  }

  /** A new limit starts every bucket full. */
  configure(requestsPerSecond: number | null): void {
    this.requestsPerSecond = requestsPerSecond && requestsPerSecond > 0 ? requestsPerSecond : null;
    this.buckets.clear();
  }

  /** Takes a token from `key`'s bucket; when none is left, says how long until one is. */
  take(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const rate = this.requestsPerSecond;
    if (rate === null) return { allowed: true };
    const capacity = Math.max(1, rate);
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: capacity, refilledAt: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.refilledAt) / 1000) * rate);
    bucket.refilledAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / rate)) };
  }

  /** The 429 hook for one deployment (its bucket is `key`), and the control routes. */
  install(app: FastifyInstance, key: string): void {
    app.addHook("onRequest", async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.url.startsWith(CONTROL_PREFIX)) return;
      const verdict = this.take(key);
      if (verdict.allowed) return;
      const rate = this.requestsPerSecond ?? 0;
      return reply
        .code(429)
        .header("Retry-After", String(verdict.retryAfterSeconds))
        .send({ detail: `Rate limit exceeded: ${rate} per 1 second` });
    });

    app.get(`${CONTROL_PREFIX}/rate-limit`, async () => ({ requestsPerSecond: this.requestsPerSecond }));
    app.post(`${CONTROL_PREFIX}/rate-limit`, async (req, reply) => {
      const parsed = configBody.safeParse(req.body);
      if (!parsed.success) return reply.code(400).send({ message: "requestsPerSecond must be a number >= 0 or null" });
      this.configure(parsed.data.requestsPerSecond);
      return { requestsPerSecond: this.requestsPerSecond };
    });
  }
}
