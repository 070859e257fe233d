import { z } from "zod";
import { numberAsStringAdvice } from "../core/check";
import type { Datastore, DatastorePayload } from "./client";

/**
 * A source datastore's enrichment settings: what it writes into its linked enrichment store
 * (table prefix, source records kept per anomaly, remediation tables, rollup threshold). They
 * are settings of the *source*; on an enrichment-only datastore they govern nothing (the
 * reference's datastore fields table).
 */

export const REMEDIATION = ["none", "append", "overwrite"] as const;
export type RemediationStrategy = (typeof REMEDIATION)[number];

/** Qualytics' documented prefix normalisation: snake_case with one leading underscore. */
export function normalizePrefix(raw: string): string {
  const snake = raw
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return `_${snake}`.slice(0, 60);
}

const count = (what: string, max: number) =>
  z
    .number({ error: (i) => `must be a number of ${what}${numberAsStringAdvice(i.input)}` })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(max, `must be at most ${max.toLocaleString("en-US")}`);

/** The prefix, the record limit and the strategy (both kinds accept these; see the deprecation on the enrichment kind). */
export const enrichmentSettingsShape = {
  /**
   * Prefix of the tables written into the enrichment store. Qualytics normalises it to
   * snake_case with a leading underscore ("Analytics Bronze" becomes `_analytics_bronze`); it
   * is normalised the same way here so the diff stays quiet.
   */
  enrichmentPrefix: z
    .string({ error: "must be a string" })
    .min(1, "must not be empty; omit it to derive one from the name")
    .max(60, "must be at most 60 characters")
    .transform(normalizePrefix)
    .optional(),
  /** How many source records to keep per anomaly (1–1,000,000,000). */
  enrichmentSourceRecordLimit: count("records", 1_000_000_000).optional(),
  /** What remediation tables receive: `none`, `append` or `overwrite`. */
  enrichmentRemediationStrategy: z.enum(REMEDIATION, { error: `must be one of ${REMEDIATION.join(", ")}` }).optional(),
};

/** The source datastore's settings: the three above and the rollup threshold. */
export const sourceEnrichmentShape = {
  ...enrichmentSettingsShape,
  /** Anomalies above this many records are rolled up into one (1–1,000). */
  highCountRollupThreshold: count("records", 1000).optional(),
};

export interface EnrichmentSettingsInputs {
  enrichmentPrefix?: string;
  enrichmentSourceRecordLimit?: number;
  enrichmentRemediationStrategy?: RemediationStrategy;
  highCountRollupThreshold?: number;
}

export const ENRICHMENT_SETTING_KEYS = [
  "enrichmentPrefix",
  "enrichmentSourceRecordLimit",
  "enrichmentRemediationStrategy",
  "highCountRollupThreshold",
] as const;

/**
 * The payload fields for the settings the program declares. Undeclared ones are left out:
 * Qualytics keeps (PUT has partial semantics) or defaults them, and diff compares them only
 * when declared.
 */
export function settingsPayload(inputs: EnrichmentSettingsInputs): Partial<DatastorePayload> {
  const out: Partial<DatastorePayload> = {};
  if (inputs.enrichmentPrefix !== undefined) out.enrichment_prefix = inputs.enrichmentPrefix;
  if (inputs.enrichmentSourceRecordLimit !== undefined) out.enrichment_source_record_limit = inputs.enrichmentSourceRecordLimit;
  if (inputs.enrichmentRemediationStrategy !== undefined) out.enrichment_remediation_strategy = inputs.enrichmentRemediationStrategy;
  if (inputs.highCountRollupThreshold !== undefined) out.high_count_rollup_threshold = inputs.highCountRollupThreshold;
  return out;
}

/** The settings as the live datastore has them. */
export function liveSettings(live: Datastore, keys: readonly (typeof ENRICHMENT_SETTING_KEYS)[number][] = ENRICHMENT_SETTING_KEYS): EnrichmentSettingsInputs {
  const all: EnrichmentSettingsInputs = {
    enrichmentPrefix: live.enrichment_prefix ?? undefined,
    enrichmentSourceRecordLimit: live.enrichment_source_record_limit ?? undefined,
    enrichmentRemediationStrategy: (live.enrichment_remediation_strategy ?? undefined) as RemediationStrategy | undefined,
    highCountRollupThreshold: live.high_count_rollup_threshold ?? undefined,
  };
  return Object.fromEntries(keys.map((k) => [k, all[k]])) as EnrichmentSettingsInputs;
}

/**
 * Whether a setting holds what Qualytics gives it when it is not sent (the reference's datastore
 * fields table: the prefix from the name, 10 records, `none`, a rollup at 10). At that value an
 * undeclared setting says nothing about the program, so refresh does not hand it back as an input.
 */
export function isDefaultSetting(key: string, value: unknown, datastoreName: string): boolean {
  switch (key) {
    case "enrichmentPrefix":
      return value === normalizePrefix(datastoreName);
    case "enrichmentSourceRecordLimit":
    case "highCountRollupThreshold":
      return value === 10;
    case "enrichmentRemediationStrategy":
      return value === "none";
    default:
      return false;
  }
}
