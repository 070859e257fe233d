import type { DatastoreUpdateBody } from "./bodies";
import { conflict, notFound } from "./errors";
import type { QualyticsInstance } from "./instance";
import type { DatastoreRecord } from "./model";

/** Guide defaults for the enrichment settings. */
export const DEFAULT_SOURCE_RECORD_LIMIT = 10;
export const DEFAULT_ROLLUP_THRESHOLD = 10;
const MAX_PREFIX_LENGTH = 60;

/**
 * The guide: the prefix "is automatically normalized to snake_case with a leading underscore.
 * For example, `Analytics Bronze` becomes `_analytics_bronze`"; left out, it comes from the name.
 */
export function normalizePrefix(raw: string): string {
  const snake = raw
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return `_${snake}`.slice(0, MAX_PREFIX_LENGTH);
}

/**
 * Team names must exist; left out, a datastore joins the deployment's default team (the first
 * seeded one, normally `Public`). The real answer for an unknown team is unconfirmed.
 */
export function resolveTeams(inst: QualyticsInstance, names: string[] | null | undefined): string[] {
  if (names === undefined || names === null) return inst.data.teams.slice(0, 1).map((t) => t.name);
  const unique = [...new Set(names)];
  for (const name of unique) {
    if (!inst.data.teams.some((t) => t.name === name)) throw notFound(`Team name: ${name} not found`);
  }
  return unique;
}

/**
 * Datastore names are unique per deployment. Undocumented; qualytics-cli reads a 409 on create
 * as "already exists", so the sandbox answers duplicates with 409.
 */
export function requireUniqueDatastoreName(inst: QualyticsInstance, name: string, exceptId?: number): void {
  if (inst.data.datastores.some((d) => d.name === name && d.id !== exceptId)) {
    throw conflict(`A datastore named '${name}' already exists`);
  }
}

/** The settings a create or full-payload update body decides; the rest of the record is kept. */
export type DatastoreSettings = Pick<
  DatastoreRecord,
  | "name"
  | "description"
  | "database"
  | "schema"
  | "enrichmentOnly"
  | "enrichmentPrefix"
  | "enrichmentSourceRecordLimit"
  | "enrichmentRemediationStrategy"
  | "highCountRollupThreshold"
  | "teams"
  | "tags"
>;

/** Every field the body leaves out takes its default (create, and the full-payload PUT). */
export function datastoreSettings(inst: QualyticsInstance, body: DatastoreUpdateBody & { name: string }): DatastoreSettings {
  return {
    name: body.name,
    description: body.description ?? null,
    database: body.database ?? null,
    schema: body.schema ?? null,
    enrichmentOnly: body.enrichment_only ?? false,
    enrichmentPrefix: normalizePrefix(body.enrichment_prefix ?? body.name),
    enrichmentSourceRecordLimit: body.enrichment_source_record_limit ?? DEFAULT_SOURCE_RECORD_LIMIT,
    enrichmentRemediationStrategy: body.enrichment_remediation_strategy ?? "none",
    highCountRollupThreshold: body.high_count_rollup_threshold ?? DEFAULT_ROLLUP_THRESHOLD,
    teams: resolveTeams(inst, body.teams),
    // Global tags are created on first use.
    tags: [...new Set(body.tags ?? [])],
  };
}

/**
 * `PUT /datastores/{id}` has partial semantics despite the verb (the guide): a field left out
 * (or sent as null) keeps its value. qualytics-cli sends the whole merged record, which is the
 * same thing here.
 */
export function updatedSettings(inst: QualyticsInstance, store: DatastoreRecord, body: Partial<DatastoreUpdateBody>): DatastoreSettings {
  const keep = <T>(given: T | null | undefined, current: T): T => (given === undefined || given === null ? current : given);
  return {
    name: keep(body.name, store.name),
    description: body.description === undefined ? store.description : body.description,
    database: keep(body.database, store.database),
    schema: keep(body.schema, store.schema),
    enrichmentOnly: keep(body.enrichment_only, store.enrichmentOnly),
    enrichmentPrefix:
      body.enrichment_prefix === undefined || body.enrichment_prefix === null ? store.enrichmentPrefix : normalizePrefix(body.enrichment_prefix),
    enrichmentSourceRecordLimit: keep(body.enrichment_source_record_limit, store.enrichmentSourceRecordLimit),
    enrichmentRemediationStrategy: keep(body.enrichment_remediation_strategy, store.enrichmentRemediationStrategy),
    highCountRollupThreshold: keep(body.high_count_rollup_threshold, store.highCountRollupThreshold),
    teams: body.teams === undefined || body.teams === null ? store.teams : resolveTeams(inst, body.teams),
    tags: body.tags === undefined || body.tags === null ? store.tags : [...new Set(body.tags)],
  };
}
