import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { numberAsStringAdvice } from "../core/check";
import { implementationPath, lazyProvider } from "../core/dynamic";
import { datastoreBaseShape, datastoreProvider, refineCatalogDatabase, type DatastoreBaseInputs, type DatastoreBaseOutputs } from "./datastore-lifecycle";
import { connectionInputs, type QualyticsDatastoreConnectionArgs } from "./datastore-args";

const REMEDIATION = ["none", "append", "overwrite"] as const;

/** Qualytics' documented prefix normalisation: snake_case with one leading underscore. */
export function normalizePrefix(raw: string): string {
  const snake = raw
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return `_${snake}`.slice(0, 60);
}

/** Inputs of a {@link QualyticsDatabricksEnrichmentDatastore}, validated at check time. */
export const enrichmentDatastoreInputsSchema = z
  .object({
    ...datastoreBaseShape,
    /**
     * Prefix of the tables Qualytics writes (anomalies, source records, remediation). Qualytics
     * normalises it to snake_case with a leading underscore ("Analytics Bronze" becomes
     * `_analytics_bronze`); it is normalised the same way here so the diff stays quiet.
     */
    enrichmentPrefix: z
      .string({ error: "must be a string" })
      .min(1, "must not be empty; omit it to derive one from the name")
      .max(60, "must be at most 60 characters")
      .transform(normalizePrefix)
      .optional(),
    /** How many source records to keep per anomaly. */
    enrichmentSourceRecordLimit: z
      .number({ error: (i) => `must be a number of records${numberAsStringAdvice(i.input)}` })
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .optional(),
    /** What remediation tables receive. */
    enrichmentRemediationStrategy: z.enum(REMEDIATION, { error: `must be one of ${REMEDIATION.join(", ")}` }).optional(),
  })
  .superRefine(refineCatalogDatabase);

export interface EnrichmentDatastoreInputs extends DatastoreBaseInputs {
  enrichmentPrefix?: string;
  enrichmentSourceRecordLimit?: number;
  enrichmentRemediationStrategy?: (typeof REMEDIATION)[number];
}

export type EnrichmentDatastoreOutputs = EnrichmentDatastoreInputs & DatastoreBaseOutputs;

export const provider = datastoreProvider<EnrichmentDatastoreInputs, EnrichmentDatastoreOutputs>({
  label: "enrichment datastore",
  enrichmentOnly: true,
  schema: enrichmentDatastoreInputsSchema,
  payloadExtras: (inputs) => ({
    enrichment_prefix: inputs.enrichmentPrefix ?? null,
    enrichment_source_record_limit: inputs.enrichmentSourceRecordLimit ?? null,
    enrichment_remediation_strategy: inputs.enrichmentRemediationStrategy ?? null,
  }),
  liveExtras: (live) => ({
    enrichmentPrefix: live.enrichment_prefix ?? undefined,
    enrichmentSourceRecordLimit: live.enrichment_source_record_limit ?? undefined,
    enrichmentRemediationStrategy: (live.enrichment_remediation_strategy ?? undefined) as EnrichmentDatastoreInputs["enrichmentRemediationStrategy"],
  }),
  diffKeys: ["enrichmentPrefix", "enrichmentSourceRecordLimit", "enrichmentRemediationStrategy"],
  serverDefaulted: ["enrichmentPrefix", "enrichmentSourceRecordLimit", "enrichmentRemediationStrategy"],
  deleteError: (err, olds) =>
    err.status === 409
      ? new Error(
          `cannot delete enrichment datastore "${olds.name}" (id ${olds.datastoreId}): ${err.message.replace(/^.*?HTTP 409[^:]*: /, "")}. ` +
            "Unlink it from those datastores first (or delete them). Within one stack this cannot happen: a source that links it depends on it and is deleted first.",
        )
      : undefined,
});

/** Arguments of a {@link QualyticsDatabricksEnrichmentDatastore}. */
export interface QualyticsDatabricksEnrichmentDatastoreArgs extends QualyticsDatastoreConnectionArgs {
  /** Prefix of the tables Qualytics writes. */
  enrichmentPrefix?: pulumi.Input<string>;
  /** Source records kept per anomaly. */
  enrichmentSourceRecordLimit?: pulumi.Input<number>;
  /** `none`, `append` or `overwrite`. */
  enrichmentRemediationStrategy?: pulumi.Input<"none" | "append" | "overwrite">;
}

/**
 * A Qualytics enrichment datastore on Databricks (created with `enrichment_only`), where
 * Qualytics writes anomalies, source records and remediation tables. Link it to source
 * datastores with their `enrichmentDatastoreId`.
 */
export class QualyticsDatabricksEnrichmentDatastore extends pulumi.dynamic.Resource {
  /** The datastore's id in Qualytics: what a source datastore's `enrichmentDatastoreId` takes. */
  declare readonly datastoreId: pulumi.Output<number>;
  declare readonly connectionId: pulumi.Output<number>;
  /** Whether Qualytics' last connection test succeeded (read live on refresh). */
  declare readonly connected: pulumi.Output<boolean>;

  constructor(name: string, args: QualyticsDatabricksEnrichmentDatastoreArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      enrichmentProviderRef,
      name,
      {
        ...connectionInputs(args),
        enrichmentPrefix: args.enrichmentPrefix,
        enrichmentSourceRecordLimit: args.enrichmentSourceRecordLimit,
        enrichmentRemediationStrategy: args.enrichmentRemediationStrategy,
        datastoreId: undefined,
        connectionId: undefined,
        connected: undefined,
      },
      { ...opts, additionalSecretOutputs: ["personalAccessToken", "qualyticsToken", ...(opts?.additionalSecretOutputs ?? [])] },
      "databricks-integrations",
      "QualyticsDatabricksEnrichmentDatastore",
    );
  }
}

const enrichmentProviderRef = lazyProvider(implementationPath("qualytics/databricks-enrichment-datastore"));
