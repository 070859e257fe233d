import { createHmac, timingSafeEqual } from "crypto";

/**
 * Qualytics API tokens are JWTs (the official CLI decodes them and checks `exp` before it sends
 * anything; the guide's token page shows `eyJhbGciOi…`). The sandbox signs them with HS256 and
 * a per-deployment key from the seed. The real signing scheme is not public; only the shape
 * (three base64url parts, `exp` in seconds) matters to clients.
 */

/** The key a deployment signs with when the seed names none. */
export const DEFAULT_SIGNING_KEY = "qualytics-sandbox-signing-key";

export interface TokenClaims {
  /** The user's email. */
  sub: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  iat?: number;
  [claim: string]: unknown;
}

const b64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

/** A signed token for `claims` (used by seeds, tests and the sandbox itself). */
export function mintQualyticsToken(signingKey: string, claims: TokenClaims): string {
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify(claims));
  const signature = createHmac("sha256", signingKey).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${signature}`;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: "malformed" | "signature" | "expired" };

/** Verifies shape, signature and `exp` (against `nowMs`, wall-clock time). */
export function verifyQualyticsToken(signingKey: string, token: string, nowMs: number): TokenCheck {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "malformed" };
  const [head, body, signature] = parts as [string, string, string];
  let claims: TokenClaims;
  try {
    const header = JSON.parse(Buffer.from(head, "base64url").toString("utf8")) as { alg?: string };
    if (header.alg !== "HS256") return { ok: false, reason: "signature" };
    claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as TokenClaims;
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const expected = createHmac("sha256", signingKey).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "signature" };
  if (typeof claims.exp === "number" && claims.exp * 1000 <= nowMs) return { ok: false, reason: "expired" };
  return { ok: true, claims };
}
