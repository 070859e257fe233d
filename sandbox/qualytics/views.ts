import type { QualyticsInstance } from "./instance";
import type { ConnectionRecord, DatastoreRecord } from "./model";
import { viewInDialect } from "./dialect";
import { latestOperationView } from "./operations";

/**
 * Response bodies. Shapes follow the reference's response fields and the guide's examples:
 * `teams` and `global_tags` are lists of objects (`[{"name": ...}]`), the connection appears
 * as `connection_id` or as a `{id, name, type}` stub (by dialect), and secrets never appear.
 */

/** Databricks is a JDBC connector on port 443. */
const STORE_TYPE = "jdbc";

/** The linked enrichment datastore as the guide shows it inside `enrich_datastore`. */
export function enrichStub(inst: QualyticsInstance, store: DatastoreRecord) {
  return {
    id: store.id,
    name: store.name,
    store_type: STORE_TYPE,
    type: inst.connectionOf(store).type,
    enrichment_only: store.enrichmentOnly,
  };
}

/** A datastore as the deployment's dialect shows it (see dialect.ts). */
export function datastoreView(inst: QualyticsInstance, store: DatastoreRecord) {
  return viewInDialect(inst.dialect, datastoreFullView(inst, store));
}

function datastoreFullView(inst: QualyticsInstance, store: DatastoreRecord) {
  const connection = inst.connectionOf(store);
  const enrich = store.enrichDatastoreId === null ? undefined : inst.data.datastores.find((d) => d.id === store.enrichDatastoreId);
  return {
    id: store.id,
    created: store.created,
    updated: store.updated,
    name: store.name,
    description: store.description,
    store_type: STORE_TYPE,
    type: connection.type,
    connected: store.connected,
    favorite: false,
    connection_id: connection.id,
    connection: { id: connection.id, name: connection.name, type: connection.type },
    host: connection.host,
    port: connection.port,
    parameters: { ...connection.parameters },
    database: store.database,
    schema: store.schema,
    enrichment_only: store.enrichmentOnly,
    enrichment_prefix: store.enrichmentPrefix,
    enrichment_source_record_limit: store.enrichmentSourceRecordLimit,
    enrichment_remediation_strategy: store.enrichmentRemediationStrategy,
    high_count_rollup_threshold: store.highCountRollupThreshold,
    enrich_datastore: enrich ? enrichStub(inst, enrich) : null,
    teams: store.teams.map((name) => ({ id: inst.data.teams.find((t) => t.name === name)?.id ?? null, name })),
    global_tags: store.tags.map((name) => ({ name })),
    latest_operation: latestOperationView(inst, store.id),
  };
}

/**
 * GET never returns the token (the guide: "Secrets are masked in the response"; here: left out).
 * `datastores` is optional in the spec: the `guide` dialect leaves it out of list items
 * (`inList`) and keeps it in a single GET, so a client can still learn whether a connection is
 * in use.
 */
export function connectionView(inst: QualyticsInstance, connection: ConnectionRecord, inList = false) {
  const view = connectionFullView(inst, connection);
  if (inList && inst.dialect === "guide") delete (view as Partial<typeof view>).datastores;
  return view;
}

function connectionFullView(inst: QualyticsInstance, connection: ConnectionRecord) {
  return {
    id: connection.id,
    name: connection.name,
    type: connection.type,
    connection_type: "JDBC",
    host: connection.host,
    port: connection.port,
    parameters: { ...connection.parameters },
    created: connection.created,
    datastores: inst.data.datastores.filter((d) => d.connectionId === connection.id).map((d) => ({ id: d.id, name: d.name })),
  };
}
