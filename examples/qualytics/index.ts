import * as pulumi from "@pulumi/pulumi";
import { DatabricksAccessToken, QualyticsDatabricksDatastore, QualyticsDatabricksEnrichmentDatastore } from "pulumi-databricks-integrations";

/**
 * Qualytics data quality on Databricks: two source datastores, each linked to an enrichment
 * datastore (where Qualytics writes anomalies, source records and remediation tables).
 *
 * It shows both ways to get that enrichment datastore:
 * - `sales` links an enrichment datastore that already exists (another team made it); this
 *   stack only refers to it by id, so it never changes or deletes it;
 * - `raw` links a new enrichment datastore that this stack creates and owns.
 *
 * Credentials come from stack config: `databricks:host`, `databricks:token` (secret),
 * `qualytics:url`, `qualytics:token` (secret). See README.md for every setting.
 */
export = async () => {
  const config = new pulumi.Config();

  // The Databricks token Qualytics connects with: issued for this stack (not a person's own
  // token), renewed before it expires; every datastore takes a renewed token in place.
  const pat = new DatabricksAccessToken("qualytics", {
    comment: "Qualytics datastores (pulumi)",
    lifetimeDays: config.getNumber("tokenLifetimeDays") ?? 90,
    rotateBeforeDays: config.getNumber("tokenRotateBeforeDays") ?? 14,
  });

  // The form fields every datastore shares. A token is only valid in the workspace that issued
  // it, so the server hostname is that workspace's host (`databricks:host`) rather than a setting.
  const connection = {
    serverHostname: pat.host,
    httpPath: config.require("httpPath"), // the SQL warehouse's "Connection details" tab
    personalAccessToken: pat.value,
  };

  // (a) An existing enrichment datastore, by id. Not a resource here: the stack neither owns nor
  // deletes it, and a destroy only unlinks `sales` from it (by deleting `sales`).
  const existingEnrichmentDatastoreId = config.requireNumber("existingEnrichmentDatastoreId");
  const sales = new QualyticsDatabricksDatastore("sales", {
    ...connection,
    name: config.get("salesName") ?? "dbx_sales",
    catalog: config.require("salesCatalog"),
    database: config.require("salesSchema"),
    enrichmentDatastoreId: existingEnrichmentDatastoreId,
  });

  // (b) A new enrichment datastore, owned by this stack. Linking through its output makes the
  // source depend on it: it is created first and, on destroy, deleted last.
  const enrichment = new QualyticsDatabricksEnrichmentDatastore("enrichment", {
    ...connection,
    name: config.get("enrichmentName") ?? "dbx_enrichment",
    catalog: config.require("enrichmentCatalog"),
    database: config.require("enrichmentSchema"),
  });
  const raw = new QualyticsDatabricksDatastore("raw", {
    ...connection,
    name: config.get("rawName") ?? "dbx_raw",
    catalog: config.require("rawCatalog"),
    database: config.require("rawSchema"),
    enrichmentDatastoreId: enrichment.datastoreId,
    // What `raw` writes into its enrichment datastore: settings of the source. Omitted, Qualytics
    // derives the table prefix from the name and writes no remediation tables.
    enrichmentPrefix: config.get("enrichmentPrefix"),
    enrichmentRemediationStrategy: config.get<"none" | "append" | "overwrite">("enrichmentRemediationStrategy"),
  });

  return {
    tokenId: pat.tokenId,
    tokenExpiry: pat.expiryTime,
    salesDatastoreId: sales.datastoreId,
    /** The enrichment datastore `sales` links: the existing one (read live on refresh). */
    salesEnrichmentDatastoreId: sales.enrichmentDatastoreId,
    salesConnected: sales.connected,
    enrichmentDatastoreId: enrichment.datastoreId,
    enrichmentConnected: enrichment.connected,
    rawDatastoreId: raw.datastoreId,
    /** The enrichment datastore `raw` links: the one this stack created. */
    rawEnrichmentDatastoreId: raw.enrichmentDatastoreId,
    rawConnected: raw.connected,
  };
};
