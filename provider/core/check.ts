import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

/** The string the engine puts in check inputs for values it does not know yet (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const isUnknown = (value: unknown): boolean => value === UNKNOWN;

/**
 * Validates new inputs against a resource's zod schema and turns every issue into a check
 * failure naming the property and the rule. Unknown values (preview) are skipped. Issues on
 * secret properties are thrown as an error instead: the engine prints the offending value next
 * to a check failure, and a secret must never be printed.
 */
export function checkWithSchema<S extends z.ZodType>(
  schema: S,
  news: Record<string, unknown>,
  secretProperties: readonly string[] = [],
): pulumi.dynamic.CheckResult {
  const known = Object.fromEntries(Object.entries(news).filter(([, v]) => !isUnknown(v)));
  const parsed = schema.safeParse(known);
  if (parsed.success) return { inputs: { ...news, ...(parsed.data as object) } };

  const failures: pulumi.dynamic.CheckFailure[] = [];
  const secretProblems: string[] = [];
  for (const issue of parsed.error.issues) {
    const property = issue.path.length ? String(issue.path[0]) : "";
    // An issue on a field the engine does not know yet is not an issue.
    if (property && isUnknown(news[property])) continue;
    const where = issue.path.length ? issue.path.map(String).join(".") : "(inputs)";
    const reason = `${where}: ${issue.message}`;
    if (secretProperties.includes(property)) secretProblems.push(reason);
    else failures.push({ property, reason });
  }
  if (secretProblems.length) throw new Error(`invalid secret input: ${secretProblems.join("; ")}`);
  return failures.length ? { inputs: news, failures } : { inputs: news };
}
