import { RequestValidationError } from "./errors";

/**
 * The public sources disagree on a few response shapes (../shared/reference/qualytics-api.md,
 * marked ⚠ there); each deployment answers in one of them, chosen in the seed, so clients are
 * tested against every form:
 * - `guide`: the user guide's examples: the datastore's connection only as `connection: {id,
 *   name, type}` (no `connection_id`), 201 on create, the unsaved test failing with 400
 *   `{"message": ...}`, connection list items without `datastores` (optional in the spec);
 * - `cli`: what qualytics-cli's code and comments describe: `connection_id` (no `connection`
 *   object), 200 on create, `{"detail": ...}` errors;
 * - `legacy`: an older control plane: `enrich_only` and `trigger_catalog` instead of
 *   `enrichment_only` and `trigger_sync`, in requests and answers. It refuses the newer names
 *   with pydantic's 422 `extra_forbidden` (chosen: an older plane silently ignoring them would
 *   make an enrichment store a source, which no client could detect before the harm).
 */
export const DIALECTS = ["guide", "cli", "legacy"] as const;
export type Dialect = (typeof DIALECTS)[number];

const RENAMES: [current: string, older: string][] = [
  ["enrichment_only", "enrich_only"],
  ["trigger_sync", "trigger_catalog"],
];

/** A datastore create/update/test body in the current names, whatever the dialect sent. */
export function bodyInCurrentNames(dialect: Dialect, body: unknown): unknown {
  if (dialect !== "legacy" || typeof body !== "object" || body === null || Array.isArray(body)) return body;
  const given = body as Record<string, unknown>;
  const refused = RENAMES.filter(([current]) => current in given).map(([current]) => ({
    type: "extra_forbidden",
    loc: ["body", current],
    msg: "Extra inputs are not permitted",
    input: given[current],
  }));
  if (refused.length > 0) throw new RequestValidationError(refused);
  const out: Record<string, unknown> = { ...given };
  for (const [current, older] of RENAMES) {
    if (older in out) {
      out[current] = out[older];
      delete out[older];
    }
  }
  return out;
}

/** A datastore view in the dialect's names. */
export function viewInDialect<T extends Record<string, unknown>>(dialect: Dialect, view: T): Record<string, unknown> {
  const out: Record<string, unknown> = { ...view };
  if (dialect === "guide") delete out.connection_id;
  if (dialect !== "guide") delete out.connection;
  if (dialect === "legacy") {
    out.enrich_only = out.enrichment_only;
    delete out.enrichment_only;
  }
  return out;
}
