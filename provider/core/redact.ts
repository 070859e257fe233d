/**
 * Secret redaction for everything the provider logs or throws. Two nets: every secret value the
 * provider has handled in this process is registered and replaced wherever it appears, and
 * strings shaped like credentials (Databricks PATs, JWTs, bearer headers) are masked even if
 * nobody registered them.
 */
const registered = new Set<string>();

/** Masks that keep no part of the secret. */
const MASK = "[REDACTED]";

const CREDENTIAL_SHAPES: RegExp[] = [
  /dapi[0-9a-f]{32}(-\d+)?/gi,
  /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
  /(Bearer|ApiKey|Basic)\s+[^\s"',}]+/gi,
];

/** Remembers a secret so it is masked in every later log line and error message. */
export function registerSecret(value: string | undefined): void {
  // Very short strings would mask ordinary words; real credentials are never that short.
  if (value && value.length >= 6) registered.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of registered) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  for (const shape of CREDENTIAL_SHAPES) {
    out = out.replace(shape, (match, scheme: string | undefined) => (scheme && /^(Bearer|ApiKey|Basic)$/i.test(scheme) ? `${scheme} ${MASK}` : MASK));
  }
  return out;
}

/** Redacts every string inside a JSON-like value (for structured log fields). */
export function redactDeep<T>(value: T): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T;
  }
  return value;
}
