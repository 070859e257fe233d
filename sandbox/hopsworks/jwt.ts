import { createHmac, timingSafeEqual } from "crypto";

/**
 * HS256 JWTs as the login hands them out: `header.payload.signature`, base64url, signed with the
 * instance's own key. Refusals are worded like the java-jwt library Hopsworks verifies with
 * (AuthFilter relays its message as `errorMsg`).
 */
export interface JwtClaims {
  /** The username. */
  sub: string;
  /** The instance's host name. */
  iss: string;
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
  aud: string[];
  roles: string[];
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");
const sign = (input: string, key: Buffer) => createHmac("sha256", key).update(input).digest();

export class JwtRejected extends Error {}

export function signJwt(claims: JwtClaims, key: Buffer): string {
  const head = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}`;
  return `${head}.${b64url(sign(head, key))}`;
}

function decodePart(part: string): Record<string, unknown> {
  try {
    const value = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown;
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  throw new JwtRejected(`The string '${part}' doesn't have a valid JSON format.`);
}

/** The token's claims if it is genuine, issued by `issuer` and not expired at `nowMs` (plus the site's leeway); else JwtRejected. */
export function verifyJwt(token: string, key: Buffer, issuer: string, nowMs: number, leewaySeconds: number): JwtClaims {
  const parts = token.split(".");
  if (parts.length !== 3) throw new JwtRejected(`The token was expected to have 3 parts, but got ${parts.length}.`);
  const [head, payload, signature] = parts as [string, string, string];
  const header = decodePart(head);
  const claims = decodePart(payload);
  if (header.alg !== "HS256") throw new JwtRejected("The provided Algorithm doesn't match the one defined in the JWT's Header.");
  const expected = sign(`${head}.${payload}`, key);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new JwtRejected("The Token's Signature resulted invalid when verified using the Algorithm: HmacSHA256");
  }
  if (claims.iss !== issuer) throw new JwtRejected("The Claim 'iss' value doesn't match the required issuer.");
  if (typeof claims.exp !== "number" || typeof claims.sub !== "string") throw new JwtRejected("Invalid token.");
  if (nowMs / 1000 > claims.exp + leewaySeconds) {
    throw new JwtRejected(`The Token has expired on ${new Date(claims.exp * 1000).toISOString()}.`);
  }
  return claims as unknown as JwtClaims;
}
