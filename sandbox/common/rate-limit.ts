import { z } from "zod";

/**
 * A token-bucket rate limit in front of a sandbox service's API, shared by every service through
 * its control plane (`POST /__sandbox/rate-limit`). One bucket per key (the host a request was
 * addressed to: a Databricks workspace, a Qualytics deployment, a Hopsworks cluster), holding
 * `burst` tokens (one second's worth of requests unless given) and refilled continuously at
 * `requestsPerSecond`. Over the limit a request gets 429 with `Retry-After` (whole seconds until a
 * token is back), in the service's own error shape. Off by default.
 *
 * The limit is wall-clock: the sandbox's time scale shrinks how long work takes, not how fast a
 * client may call.
 */
export class TokenBucketLimiter {
  private requestsPerSecond: number | null = null;
  private burstSize: number | undefined;
  private readonly buckets = new Map<string, { tokens: number; refilledAt: number }>();

  constructor(
    requestsPerSecond: number | null,
    private readonly now: () => number = () => Date.now(),
    burst?: number,
  ) {
    this.configure(requestsPerSecond, burst);
  }

  get limit(): number | null {
    return this.requestsPerSecond;
  }

  /** The bucket size when set explicitly; undefined means one second's worth (at least 1). */
  get burst(): number | undefined {
    return this.burstSize;
  }

  /** A new limit starts every bucket full. Null or 0 turns the limiter off. */
  configure(requestsPerSecond: number | null, burst?: number): void {
    this.requestsPerSecond = requestsPerSecond && requestsPerSecond > 0 ? requestsPerSecond : null;
    this.burstSize = this.requestsPerSecond !== null && burst !== undefined && burst >= 1 ? burst : undefined;
    this.buckets.clear();
  }

  /** What the control route answers: `{requestsPerSecond}`, plus `burst` when it was set. */
  settings(): { requestsPerSecond: number | null; burst?: number } {
    return this.burstSize === undefined ? { requestsPerSecond: this.requestsPerSecond } : { requestsPerSecond: this.requestsPerSecond, burst: this.burstSize };
  }

  /** Takes a token from `key`'s bucket; when none is left, says how long until one is. */
  take(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const rate = this.requestsPerSecond;
    if (rate === null) return { allowed: true };
    const capacity = this.burstSize ?? Math.max(1, rate);
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
}

/**
 * The body of `POST /__sandbox/rate-limit`: `{requestsPerSecond}` (null or 0: off) or its short
 * form `{rps}`, and optionally `{burst}` (the bucket size, ≥ 1).
 */
export const rateLimitBody = z
  .object({
    requestsPerSecond: z.number().min(0).nullable().optional(),
    rps: z.number().min(0).nullable().optional(),
    burst: z.number().min(1).optional(),
  })
  .refine((b) => (b.requestsPerSecond === undefined) !== (b.rps === undefined), { message: "give requestsPerSecond (or rps), not both" });

export const RATE_LIMIT_USAGE = "requestsPerSecond must be a number >= 0 or null";
