/**
 * Qualytics' rate limit is the control plane's (`../common/rate-limit`, one bucket per
 * deployment, before auth or validation, as a limiter in front of the app would): the seed's
 * `rateLimit.requestsPerSecond` is where it starts, `POST /__sandbox/rate-limit` changes it.
 * What Qualytics adds is its 429 body: `{detail}` like every other error; the real limiter's
 * wording is unconfirmed.
 */
export const rateLimitedBody = (requestsPerSecond: number): unknown => ({ detail: `Rate limit exceeded: ${requestsPerSecond} per 1 second` });
