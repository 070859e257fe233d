import * as pulumi from "@pulumi/pulumi";
import { DatabricksAccessToken, QualyticsDatabricksDatastore, QualyticsDatabricksEnrichmentDatastore } from "pulumi-databricks-integrations";

/**
 * One team's stack for the many-stacks phase: its own token, enrichment datastore and
 * `bench:sources` source datastores linked to it (10 resources by default), every name prefixed
 * by `bench:team`, so teams share the services but never an object. (Hopsworks is left out: a
 * registration belongs to the Hopsworks user and workspace, which every team here would share.)
 */
export = async () => {
  const config = new pulumi.Config("bench");
  const team = config.require("team");
  const sources = config.getNumber("sources") ?? 8;
  const httpPath = config.require("sqlHttpPath");

  const token = new DatabricksAccessToken("pat", { comment: `bench ${team}`, lifetimeDays: 90 });
  const connection = { serverHostname: token.host, httpPath, personalAccessToken: token.value };
  const enrichment = new QualyticsDatabricksEnrichmentDatastore("enrichment", {
    ...connection,
    name: `bench_${team}_enrichment`,
    catalog: "quality",
    database: "enrichment",
  });
  for (let i = 0; i < sources; i++) {
    const n = String(i).padStart(2, "0");
    new QualyticsDatabricksDatastore(`source-${n}`, {
      ...connection,
      name: `bench_${team}_source_${n}`,
      catalog: "main",
      database: "sales",
      enrichmentDatastoreId: enrichment.datastoreId,
    });
  }
  return {};
};
