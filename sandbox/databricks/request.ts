import type { z } from "zod";
import { invalidParameter } from "./errors";

/**
 * Validates a request body the way the real API reports problems: 400 INVALID_PARAMETER_VALUE
 * naming the field (`Missing required field: path`, `Invalid value for field ...`).
 */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") || "request";
  if (issue?.code === "invalid_type" && issue.message.includes("undefined")) throw invalidParameter(`Missing required field: ${field}`);
  throw invalidParameter(`Invalid value for field ${field}: ${issue?.message ?? "invalid"}`);
}
