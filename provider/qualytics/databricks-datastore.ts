import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { numberAsStringAdvice } from "../core/check";
import { implementationPath, lazyProvider } from "../core/dynamic";
import { fieldTable } from "../core/fields";
import type { Datastore } from "./client";
import {
  datastoreBaseInputFields,
  datastoreBaseOutputFields,
  datastoreBaseShape,
  datastoreProvider,
  refineCatalogDatabase,
  type DatastoreBaseInputs,
  type DatastoreBaseOutputs,
} from "./datastore-lifecycle";
import { connectionDefaults, type QualyticsDatastoreConnectionArgs } from "./datastore-args";
import { ENRICHMENT_SETTING_KEYS, liveSettings, settingsPayload, sourceEnrichmentShape, type EnrichmentSettingsInputs } from "./enrichment-settings";

/** Inputs of a {@link QualyticsDatabricksDatastore}, validated at check time. */
export const databricksDatastoreInputsSchema = z
  .object({
    ...datastoreBaseShape,
    /** Id of the enrichment datastore to link; omitted, none is linked. */
    enrichmentDatastoreId: z
      .number({ error: (i) => `must be a datastore id (a number)${numberAsStringAdvice(i.input)}` })
      .int("must be a whole number: an enrichment datastore's `datastoreId`")
      .positive("must be a datastore id (1 or more): an enrichment datastore's `datastoreId`")
      .optional(),
    /** Start a sync (catalog) operation right after creation. */
    triggerSync: z.boolean({ error: "must be true or false" }).default(false),
    /** What this source writes into its linked enrichment datastore. */
    ...sourceEnrichmentShape,
  })
  .superRefine(refineCatalogDatabase)
  .superRefine((v, ctx) => {
    // Qualytics' scans fail when told to remediate with nowhere to write; unlinking also resets
    // the strategy to `none`, so a program cannot keep one while unlinking.
    const strategy = v.enrichmentRemediationStrategy;
    if ((strategy === "append" || strategy === "overwrite") && v.enrichmentDatastoreId === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["enrichmentRemediationStrategy"],
        message: `"${strategy}" needs an enrichment datastore: set enrichmentDatastoreId, or use "none" (Qualytics resets the strategy to none when a datastore is unlinked, and its scans fail with append/overwrite and no enrichment datastore)`,
      });
    }
  });

export interface DatabricksDatastoreInputs extends DatastoreBaseInputs, EnrichmentSettingsInputs {
  enrichmentDatastoreId?: number;
  triggerSync: boolean;
}

export interface DatabricksDatastoreOutputs extends DatabricksDatastoreInputs, DatastoreBaseOutputs {
  /** The sync operation started at creation, if any. */
  syncOperationId?: number;
}

/** Each field once: beyond the common fields, the link and the settings update in place; `triggerSync` only shapes a create. */
export const databricksDatastoreFields = fieldTable(databricksDatastoreInputsSchema, {
  ...datastoreBaseInputFields,
  enrichmentDatastoreId: "update",
  triggerSync: "none",
  enrichmentPrefix: "update",
  enrichmentSourceRecordLimit: "update",
  enrichmentRemediationStrategy: "update",
  highCountRollupThreshold: "update",
}).withOutputs<DatabricksDatastoreOutputs>({ ...datastoreBaseOutputFields, syncOperationId: "plain" });

const linkedId = (live: Datastore) => live.enrich_datastore?.id ?? undefined;

export const provider = datastoreProvider<DatabricksDatastoreInputs, DatabricksDatastoreOutputs>({
  label: "datastore",
  enrichmentOnly: false,
  schema: databricksDatastoreInputsSchema,
  fields: databricksDatastoreFields,
  payloadExtras: (inputs) => ({ trigger_sync: inputs.triggerSync, ...settingsPayload(inputs) }),
  liveExtras: (live) => ({ enrichmentDatastoreId: linkedId(live), ...liveSettings(live) }),
  // Qualytics fills these in (from the name, 10, none, 10): compared only when declared.
  serverDefaulted: [...ENRICHMENT_SETTING_KEYS],
  async afterWrite(client, live, inputs) {
    // Link, relink or unlink so the live link is exactly the one declared.
    const want = inputs.enrichmentDatastoreId;
    if (want !== undefined && linkedId(live) !== want) await client.linkEnrichment(live.id, want);
    const unlinked = want === undefined && linkedId(live) !== undefined;
    if (unlinked) await client.unlinkEnrichment(live.id);
    return {
      enrichmentDatastoreId: want,
      // Qualytics resets the strategy when unlinking (check allows only `none` without a link).
      ...(unlinked ? { enrichmentRemediationStrategy: "none" as const } : {}),
      ...(live.latest_operation?.type === "sync" || inputs.triggerSync ? { syncOperationId: live.latest_operation?.id } : {}),
    };
  },
});

/** Arguments of a {@link QualyticsDatabricksDatastore}. */
export interface QualyticsDatabricksDatastoreArgs extends QualyticsDatastoreConnectionArgs {
  /** Id of the enrichment datastore to link (e.g. a {@link QualyticsDatabricksEnrichmentDatastore}'s `datastoreId`). Omitted, none is linked: that works, but Qualytics then has nowhere to write anomalies and remediation data, so a warning is shown. Changing it relinks in place. */
  enrichmentDatastoreId?: pulumi.Input<number>;
  /** Start a sync (catalog) operation right after creation. Default false. */
  triggerSync?: pulumi.Input<boolean>;
  /** Prefix of the tables this source writes into its enrichment datastore; normalised like Qualytics does (`Analytics Bronze` → `_analytics_bronze`). Default: from the name. */
  enrichmentPrefix?: pulumi.Input<string>;
  /** Source records kept per anomaly (1–1,000,000,000). Qualytics' default: 10. */
  enrichmentSourceRecordLimit?: pulumi.Input<number>;
  /** `none` (default), `append` or `overwrite`: what remediation tables receive. `append`/`overwrite` need `enrichmentDatastoreId`. */
  enrichmentRemediationStrategy?: pulumi.Input<"none" | "append" | "overwrite">;
  /** Anomalies with more records than this are rolled up (1–1,000). Qualytics' default: 10. */
  highCountRollupThreshold?: pulumi.Input<number>;
}

/**
 * A Qualytics source datastore on Databricks: what "Add Source Datastore → Databricks" makes.
 * The connection is tested before anything is saved; a failed test fails the deployment with
 * Qualytics' reason and leaves nothing behind. Every field updates in place, including the
 * token and the enrichment link; only moving to another Qualytics instance replaces it.
 */
export class QualyticsDatabricksDatastore extends pulumi.dynamic.Resource {
  /** The datastore's id in Qualytics. */
  declare readonly datastoreId: pulumi.Output<number>;
  /** The id of the connection Qualytics made for it. */
  declare readonly connectionId: pulumi.Output<number>;
  /** Whether Qualytics' last connection test succeeded (read live on refresh). */
  declare readonly connected: pulumi.Output<boolean>;
  /** The linked enrichment datastore, if any. */
  declare readonly enrichmentDatastoreId: pulumi.Output<number | undefined>;
  /** The sync operation started at creation, if `triggerSync` was set. */
  declare readonly syncOperationId: pulumi.Output<number | undefined>;

  constructor(name: string, args: QualyticsDatabricksDatastoreArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      datastoreProviderRef,
      name,
      databricksDatastoreFields.resourceInputs(args, connectionDefaults(args)),
      databricksDatastoreFields.withSecretOutputs(opts),
      "databricks-integrations",
      "QualyticsDatabricksDatastore",
    );
    if (args.enrichmentDatastoreId === undefined) {
      pulumi.log.warn(
        `datastore "${name}" has no enrichment datastore: it works, but Qualytics recommends one (anomalies, source records and remediation data are written there). Set enrichmentDatastoreId to link one.`,
        this,
      );
    }
  }
}

const datastoreProviderRef = lazyProvider(implementationPath("qualytics/databricks-datastore"));
