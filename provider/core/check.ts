import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { redact } from "./redact";

/** The string the engine puts in check inputs for values it does not know yet (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const isUnknown = (value: unknown): boolean => value === UNKNOWN;

/**
 * Validates new inputs against a resource's zod schema and turns every issue into a check
 * failure naming the property and the rule. Unknown values (preview) are skipped.
 *
 * Issues on secret properties become failures with an empty `property` and the field named in
 * the reason (`authToken: …`): for a failure with `property` set, the engine prints the
 * property's value ("property authToken value {…} has a problem: …"), and a secret must never
 * be printed; with `property: ""` it prints only "resource '…' has a problem: <reason>" (checked
 * on the real engine, see test/e2e/check-failures.e2e.test.ts).
 */
export function checkWithSchema<S extends z.ZodType>(
  schema: S,
  news: Record<string, unknown>,
  secretProperties: readonly string[] = [],
): pulumi.dynamic.CheckResult {
  const known = Object.fromEntries(Object.entries(news).filter(([, v]) => !isUnknown(v)));
  const anyUnknown = Object.keys(known).length < Object.keys(news).length;
  const parsed = schema.safeParse(known);
  if (parsed.success) return { inputs: { ...news, ...(parsed.data as object) } };

  const failures: pulumi.dynamic.CheckFailure[] = [];
  for (const issue of parsed.error.issues) {
    const property = issue.path.length ? String(issue.path[0]) : "";
    // An issue on a field the engine does not know yet is not an issue.
    if (property && isUnknown(news[property])) continue;
    // Nor is a rule across fields (`database` needs `catalog`) while another field is unknown:
    // the engine checks again with every value known before it changes anything.
    if (anyUnknown && property && fieldAlone(schema, property, known[property])) continue;
    const where = issue.path.length ? issue.path.map(String).join(".") : "(inputs)";
    if (secretProperties.includes(property) || carriesCredential(news[property])) {
      failures.push({ property: "", reason: `${where}: ${withoutValue(issue.message, news[property])}` });
    } else {
      failures.push({ property, reason: `${where}: ${issue.message}` });
    }
  }
  return failures.length ? { inputs: news, failures } : { inputs: news };
}

/** `PWD=…`-style parameters, as JDBC URLs and query strings carry credentials. */
const CREDENTIAL_PARAMETER = /\b(PWD|password|token|secret)(\s*=\s*)[^;&\s"]+/gi;

/**
 * A value in a plain input that holds a credential anyway, such as a JDBC URL with `PWD=<token>`
 * pasted as an HTTP path: its failure must not name the property either.
 */
const carriesCredential = (value: unknown): boolean =>
  typeof value === "string" && (redact(value) !== value || new RegExp(CREDENTIAL_PARAMETER.source, "i").test(value));

/** True when the field's own schema accepts the value, i.e. the issue came from an object-level rule. */
function fieldAlone(schema: z.ZodType, property: string, value: unknown): boolean {
  const field = (schema as { shape?: Record<string, z.ZodType> }).shape?.[property];
  return field !== undefined && field.safeParse(value).success;
}

/** Belt and braces: no rule quotes a secret on purpose, but a message that did would not show it. */
function withoutValue(message: string, value: unknown): string {
  const out = redact(message).replace(CREDENTIAL_PARAMETER, "$1$2[REDACTED]");
  return typeof value === "string" && value.trim().length >= 4 && out.includes(value.trim()) ? "is not a valid value" : out;
}

/** What is wrong with a pasted token, worded as the fix; undefined when it looks like a token. */
export function tokenProblem(value: string): string | undefined {
  if (value === "") return "must not be empty";
  const scheme = /^\s*(Bearer|Token|Basic|ApiKey)\s+\S/i.exec(value)?.[1];
  if (scheme) return `starts with "${scheme} " (an Authorization header's scheme); set only the token itself`;
  if (value.trim() !== value) return "has leading or trailing whitespace (often a newline pasted or read from a file); remove it where the value is set";
  if (/\s/.test(value)) return "contains whitespace, which a token never does: check what was pasted (a line break, or two values run together)";
  return undefined;
}

/** A secret token input: a non-empty string shaped like a token (see {@link tokenProblem}). */
export const secretTokenSchema = (what: string) =>
  z.string({ error: (i) => (i.input === undefined ? `required: ${what}` : `must be a string: ${what}`) }).superRefine((value, ctx) => {
    const problem = tokenProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/**
 * Advice for a number that arrived as a string (to append to "must be a number…"): nearly always
 * `config.get` where `config.getNumber` was meant. Empty for anything else.
 */
export const numberAsStringAdvice = (input: unknown): string =>
  typeof input === "string" && /^\s*\d+\s*$/.test(input)
    ? `, not the string "${input.trim()}": pass ${Number(input)} (config.getNumber reads a number from stack config)`
    : "";
