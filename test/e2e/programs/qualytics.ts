import * as pulumi from "@pulumi/pulumi";
import { DatabricksAccessToken, QualyticsDatabricksDatastore, QualyticsDatabricksEnrichmentDatastore } from "pulumi-databricks-integrations";

/**
 * Databricks token → two enrichment datastores → a source linked to one of them (chosen by
 * `test:link`: a, b or none) with enrichment settings, and a second source with catalog and
 * database unset.
 */
export = async () => {
  const config = new pulumi.Config("test");
  const warehousePath = config.require("httpPath");
  const serverHostname = config.require("serverHostname");

  const pat = new DatabricksAccessToken("qualytics-pat", { comment: config.get("tokenComment") ?? "qualytics", lifetimeDays: 90 });
  const common = { serverHostname, httpPath: warehousePath, personalAccessToken: pat.value };

  const enrichmentA = new QualyticsDatabricksEnrichmentDatastore("enrichment-a", {
    ...common,
    name: "dbx_enrichment_a",
    catalog: "main",
    database: "default",
  });
  const enrichmentB = new QualyticsDatabricksEnrichmentDatastore("enrichment-b", {
    ...common,
    name: "dbx_enrichment_b",
    catalog: "main",
    database: "default",
  });

  const link = config.get("link") ?? "a";
  const sales = new QualyticsDatabricksDatastore("sales", {
    ...common,
    name: "dbx_sales",
    catalog: "main",
    database: "sales",
    teams: ["Public", "Data Engineering"],
    tags: ["finance"],
    description: "Sales tables",
    enrichmentDatastoreId: link === "a" ? enrichmentA.datastoreId : link === "b" ? enrichmentB.datastoreId : undefined,
    // Enrichment settings belong to the source; a strategy other than none needs a link.
    enrichmentPrefix: "qx_",
    enrichmentSourceRecordLimit: 25,
    enrichmentRemediationStrategy: link === "none" ? "none" : "append",
    highCountRollupThreshold: 20,
  });
  const raw = new QualyticsDatabricksDatastore("raw", {
    ...common,
    name: "dbx_raw",
    enrichmentDatastoreId: enrichmentA.datastoreId,
  });

  return {
    salesId: sales.datastoreId,
    rawId: raw.datastoreId,
    enrichmentAId: enrichmentA.datastoreId,
    enrichmentBId: enrichmentB.datastoreId,
    salesConnected: sales.connected,
    salesLink: sales.enrichmentDatastoreId,
    pat: pat.value,
  };
};
