import * as pulumi from "@pulumi/pulumi";
import { DatabricksAccessToken, QualyticsDatabricksDatastore, QualyticsDatabricksEnrichmentDatastore } from "pulumi-databricks-integrations";

/**
 * On each Qualytics host in `test:hosts` (JSON list; one per response dialect), an enrichment
 * datastore and a source linked to it with enrichment settings, sharing one Databricks token.
 */
export = async () => {
  const config = new pulumi.Config("test");
  const hosts = JSON.parse(config.require("hosts")) as string[];
  const pat = new DatabricksAccessToken("dialects-pat", { comment: "qualytics dialects", lifetimeDays: 90 });
  const common = { serverHostname: config.require("serverHostname"), httpPath: config.require("httpPath"), personalAccessToken: pat.value };
  const out: Record<string, pulumi.Output<unknown>> = {};
  for (const host of hosts) {
    const tag = host.split(".")[0]!;
    const qualyticsUrl = `https://${host}/api`;
    // The legacy plane's enrichment store is written the 0.1.0 way (a setting of the source on
    // the enrichment store): still applied, with a deprecation warning.
    const deprecated = tag === "legacy" ? { enrichmentSourceRecordLimit: 3 } : {};
    const enrichment = new QualyticsDatabricksEnrichmentDatastore(`enrichment-${tag}`, {
      ...common,
      qualyticsUrl,
      name: `dbx_enrichment_${tag}`,
      catalog: "main",
      database: "default",
      ...deprecated,
    });
    const source = new QualyticsDatabricksDatastore(`sales-${tag}`, {
      ...common,
      qualyticsUrl,
      name: `dbx_sales_${tag}`,
      catalog: "main",
      database: "sales",
      enrichmentDatastoreId: enrichment.datastoreId,
      enrichmentPrefix: `${tag} bronze`,
      enrichmentRemediationStrategy: "overwrite",
      enrichmentSourceRecordLimit: 7,
    });
    out[tag] = pulumi
      .all([source.datastoreId, source.connectionId, enrichment.datastoreId, enrichment.connectionId, source.enrichmentDatastoreId])
      .apply(([sourceId, sourceConnection, enrichmentId, enrichmentConnection, link]) => ({
        sourceId,
        sourceConnection,
        enrichmentId,
        enrichmentConnection,
        link,
      }));
  }
  return out;
};
