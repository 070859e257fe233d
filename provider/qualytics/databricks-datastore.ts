import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { numberAsStringAdvice } from "../core/check";
import { implementationPath, lazyProvider } from "../core/dynamic";
import type { Datastore } from "./client";
import { datastoreBaseShape, datastoreProvider, refineCatalogDatabase, type DatastoreBaseInputs, type DatastoreBaseOutputs } from "./datastore-lifecycle";
import { connectionInputs, type QualyticsDatastoreConnectionArgs } from "./datastore-args";

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
  })
  .superRefine(refineCatalogDatabase);

export interface DatabricksDatastoreInputs extends DatastoreBaseInputs {
  enrichmentDatastoreId?: number;
  triggerSync: boolean;
}

export interface DatabricksDatastoreOutputs extends DatabricksDatastoreInputs, DatastoreBaseOutputs {
  /** The sync operation started at creation, if any. */
  syncOperationId?: number;
}

const linkedId = (live: Datastore) => live.enrich_datastore?.id ?? undefined;

export const provider = datastoreProvider<DatabricksDatastoreInputs, DatabricksDatastoreOutputs>({
  label: "datastore",
  enrichmentOnly: false,
  schema: databricksDatastoreInputsSchema,
  payloadExtras: (inputs) => ({ trigger_sync: inputs.triggerSync }),
  liveExtras: (live) => ({ enrichmentDatastoreId: linkedId(live) }),
  diffKeys: ["enrichmentDatastoreId"],
  async afterWrite(client, live, inputs) {
    // Link, relink or unlink so the live link is exactly the one declared.
    const want = inputs.enrichmentDatastoreId;
    if (want !== undefined && linkedId(live) !== want) await client.linkEnrichment(live.id, want);
    if (want === undefined && linkedId(live) !== undefined) await client.unlinkEnrichment(live.id);
    return {
      enrichmentDatastoreId: want,
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
      {
        ...connectionInputs(args),
        enrichmentDatastoreId: args.enrichmentDatastoreId,
        triggerSync: args.triggerSync,
        datastoreId: undefined,
        connectionId: undefined,
        connected: undefined,
        syncOperationId: undefined,
      },
      { ...opts, additionalSecretOutputs: ["personalAccessToken", "qualyticsToken", ...(opts?.additionalSecretOutputs ?? [])] },
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
