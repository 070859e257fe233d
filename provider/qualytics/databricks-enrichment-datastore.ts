import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { implementationPath, lazyProvider } from "../core/dynamic";
import { fieldTable } from "../core/fields";
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
import { enrichmentSettingsShape, liveSettings, settingsPayload, type EnrichmentSettingsInputs } from "./enrichment-settings";

export { normalizePrefix } from "./enrichment-settings";

/** Inputs that belong on the source datastore; accepted here (with a warning) for stacks of 0.1.0. */
const DEPRECATED = ["enrichmentPrefix", "enrichmentSourceRecordLimit", "enrichmentRemediationStrategy"] as const;

/** Inputs of a {@link QualyticsDatabricksEnrichmentDatastore}, validated at check time. */
export const enrichmentDatastoreInputsSchema = z
  .object({
    ...datastoreBaseShape,
    /**
     * Deprecated: these are settings of the source datastore (what it writes here); on an
     * enrichment datastore they govern nothing. Still accepted, written and read back so stacks
     * of earlier versions keep working; a warning says where to move them.
     */
    ...enrichmentSettingsShape,
  })
  .superRefine(refineCatalogDatabase);

export interface EnrichmentDatastoreInputs extends DatastoreBaseInputs, Omit<EnrichmentSettingsInputs, "highCountRollupThreshold"> {}

export type EnrichmentDatastoreOutputs = EnrichmentDatastoreInputs & DatastoreBaseOutputs;

/** Each field once: the common fields, and the deprecated settings (still written in place). */
export const enrichmentDatastoreFields = fieldTable(enrichmentDatastoreInputsSchema, {
  ...datastoreBaseInputFields,
  enrichmentPrefix: "update",
  enrichmentSourceRecordLimit: "update",
  enrichmentRemediationStrategy: "update",
}).withOutputs<EnrichmentDatastoreOutputs>(datastoreBaseOutputFields);

export const provider = datastoreProvider<EnrichmentDatastoreInputs, EnrichmentDatastoreOutputs>({
  label: "enrichment datastore",
  enrichmentOnly: true,
  schema: enrichmentDatastoreInputsSchema,
  fields: enrichmentDatastoreFields,
  payloadExtras: (inputs) => settingsPayload(inputs),
  liveExtras: (live) => liveSettings(live, DEPRECATED),
  serverDefaulted: [...DEPRECATED],
  deleteError: (err, olds) =>
    err.status === 409
      ? new Error(
          `cannot delete enrichment datastore "${olds.name}" (id ${olds.datastoreId}): ${err.explanation}. ` +
            "Unlink it from those datastores first (or delete them). Within one stack this cannot happen: a source that links it depends on it and is deleted first.",
        )
      : undefined,
});

/** Arguments of a {@link QualyticsDatabricksEnrichmentDatastore}. */
export interface QualyticsDatabricksEnrichmentDatastoreArgs extends QualyticsDatastoreConnectionArgs {
  /** @deprecated A setting of the source datastore: set it on each {@link QualyticsDatabricksDatastore} that links this one. Here it has no effect. */
  enrichmentPrefix?: pulumi.Input<string>;
  /** @deprecated A setting of the source datastore: set it on each {@link QualyticsDatabricksDatastore} that links this one. Here it has no effect. */
  enrichmentSourceRecordLimit?: pulumi.Input<number>;
  /** @deprecated A setting of the source datastore: set it on each {@link QualyticsDatabricksDatastore} that links this one. Here it has no effect. */
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
      enrichmentDatastoreFields.resourceInputs(args, connectionDefaults(args)),
      enrichmentDatastoreFields.withSecretOutputs(opts),
      "databricks-integrations",
      "QualyticsDatabricksEnrichmentDatastore",
    );
    const declared = DEPRECATED.filter((k) => args[k] !== undefined);
    if (declared.length > 0) {
      pulumi.log.warn(
        `enrichment datastore "${name}": ${declared.join(", ")} ${declared.length > 1 ? "are settings" : "is a setting"} of the source datastore and ${declared.length > 1 ? "have" : "has"} no effect on an enrichment datastore. ` +
          `Move ${declared.length > 1 ? "them" : "it"} to each QualyticsDatabricksDatastore that links this one (same input names); ${declared.length > 1 ? "they are" : "it is"} still applied here for now, so nothing changes until you do.`,
        this,
      );
    }
  }
}

const enrichmentProviderRef = lazyProvider(implementationPath("qualytics/databricks-enrichment-datastore"));
