import type { z } from "zod";
import { RequestValidationError, type ValidationIssue } from "./errors";

/**
 * Request validation the way FastAPI + pydantic v2 reports it: every problem becomes one entry
 * of a 422 `detail` list with `loc` starting at `body`, `query` or `path`, pydantic's error
 * `type` and its message wording. Unknown body fields are ignored, as pydantic models do by
 * default.
 */

/** What the JSON content parser hands over when the request had no body at all. */
export const NO_BODY = undefined;

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  if (body === NO_BODY) throw new RequestValidationError([{ type: "missing", loc: ["body"], msg: "Field required", input: null }]);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new RequestValidationError([
      { type: "model_attributes_type", loc: ["body"], msg: "Input should be a valid dictionary or object to extract fields from", input: body },
    ]);
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new RequestValidationError(parsed.error.issues.map((issue) => toPydanticIssue(issue, body)));
}

/** The 422 FastAPI gives for a body that is not JSON (the position is where parsing stopped). */
export function invalidJson(position: number, reason: string): RequestValidationError {
  return new RequestValidationError([{ type: "json_invalid", loc: ["body", position], msg: "JSON decode error", input: {}, ctx: { error: reason } }]);
}

type ZodIssue = z.core.$ZodIssue;

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let value: unknown = root;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const quoteList = (values: readonly unknown[]) => {
  const quoted = values.map((v) => (typeof v === "string" ? `'${v}'` : String(v)));
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}` : (quoted[0] ?? "");
};

function toPydanticIssue(issue: ZodIssue, body: unknown): ValidationIssue {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  const loc = ["body", ...path];
  const input = valueAt(body, issue.path);
  switch (issue.code) {
    case "invalid_type": {
      if (input === undefined) return { type: "missing", loc, msg: "Field required", input: valueAt(body, issue.path.slice(0, -1)) };
      const expected = issue.expected as string;
      if (expected === "int" && typeof input === "number") {
        return { type: "int_from_float", loc, msg: "Input should be a valid integer, got a number with a fractional part", input };
      }
      const byExpected: Record<string, [string, string]> = {
        string: ["string_type", "Input should be a valid string"],
        number: ["float_type", "Input should be a valid number"],
        int: ["int_type", "Input should be a valid integer"],
        boolean: ["bool_type", "Input should be a valid boolean"],
        array: ["list_type", "Input should be a valid list"],
        object: ["model_attributes_type", "Input should be a valid dictionary or object to extract fields from"],
        record: ["dict_type", "Input should be a valid dictionary"],
      };
      const [type, msg] = byExpected[expected] ?? ["value_error", `Value error, ${issue.message}`];
      return { type, loc, msg, input };
    }
    case "too_big":
      if (issue.origin === "string") {
        return {
          type: "string_too_long",
          loc,
          msg: `String should have at most ${issue.maximum} characters`,
          input,
          ctx: { max_length: Number(issue.maximum) },
        };
      }
      return { type: "less_than_equal", loc, msg: `Input should be less than or equal to ${issue.maximum}`, input, ctx: { le: Number(issue.maximum) } };
    case "too_small":
      if (issue.origin === "string") {
        const min = Number(issue.minimum);
        return { type: "string_too_short", loc, msg: `String should have at least ${min} character${min === 1 ? "" : "s"}`, input, ctx: { min_length: min } };
      }
      return { type: "greater_than_equal", loc, msg: `Input should be greater than or equal to ${issue.minimum}`, input, ctx: { ge: Number(issue.minimum) } };
    case "invalid_value":
      return { type: "literal_error", loc, msg: `Input should be ${quoteList(issue.values)}`, input, ctx: { expected: quoteList(issue.values) } };
    default:
      // Cross-field rules (refinements) are pydantic model validators: `Value error, <message>`.
      return { type: "value_error", loc, msg: `Value error, ${issue.message}`, input };
  }
}

type QueryValue = string | string[] | undefined;

/**
 * Reads query parameters like FastAPI's typed `Query(...)` arguments, collecting every problem
 * before answering 422. Repeated keys (`?tag=a&tag=b`) make list parameters.
 */
export class QueryReader {
  private readonly issues: ValidationIssue[] = [];

  constructor(private readonly query: Record<string, QueryValue>) {}

  /** The last value of a scalar parameter (FastAPI takes the last of repeated keys). */
  private raw(name: string): string | undefined {
    const value = this.query[name];
    return Array.isArray(value) ? value[value.length - 1] : value;
  }

  string(name: string): string | undefined {
    return this.raw(name);
  }

  list(name: string): string[] {
    const value = this.query[name];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  }

  int(name: string, options: { default: number; min?: number; max?: number }): number {
    const raw = this.raw(name);
    if (raw === undefined) return options.default;
    const loc = ["query", name];
    if (!/^\s*[+-]?\d+\s*$/.test(raw)) {
      this.issues.push({ type: "int_parsing", loc, msg: "Input should be a valid integer, unable to parse string as an integer", input: raw });
      return options.default;
    }
    const value = Number(raw);
    if (options.min !== undefined && value < options.min) {
      this.issues.push({
        type: "greater_than_equal",
        loc,
        msg: `Input should be greater than or equal to ${options.min}`,
        input: raw,
        ctx: { ge: options.min },
      });
    } else if (options.max !== undefined && value > options.max) {
      this.issues.push({ type: "less_than_equal", loc, msg: `Input should be less than or equal to ${options.max}`, input: raw, ctx: { le: options.max } });
    }
    return value;
  }

  /** pydantic's lax booleans: true/false, 1/0, yes/no, on/off, t/f, y/n. */
  bool(name: string, fallback: boolean): boolean {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const word = raw.trim().toLowerCase();
    if (["true", "1", "yes", "on", "t", "y"].includes(word)) return true;
    if (["false", "0", "no", "off", "f", "n"].includes(word)) return false;
    this.issues.push({ type: "bool_parsing", loc: ["query", name], msg: "Input should be a valid boolean, unable to interpret input", input: raw });
    return fallback;
  }

  sortOrder(name: string): "asc" | "desc" | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return undefined;
    if (raw === "asc" || raw === "desc") return raw;
    this.issues.push({ type: "literal_error", loc: ["query", name], msg: "Input should be 'asc' or 'desc'", input: raw, ctx: { expected: "'asc' or 'desc'" } });
    return undefined;
  }

  /** Throws the collected 422, if any. Call once every parameter has been read. */
  done(): void {
    if (this.issues.length > 0) throw new RequestValidationError(this.issues);
  }
}

/** An integer path parameter (`/datastores/{datastore_id}`); anything else is FastAPI's 422. */
export function pathId(params: unknown, name: string, locName = name): number {
  const raw = String((params as Record<string, unknown>)[name] ?? "");
  if (!/^[+-]?\d+$/.test(raw)) {
    throw new RequestValidationError([
      { type: "int_parsing", loc: ["path", locName], msg: "Input should be a valid integer, unable to parse string as an integer", input: raw },
    ]);
  }
  return Number(raw);
}
