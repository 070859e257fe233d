import * as pulumi from "@pulumi/pulumi";
import {
  DatabricksAccessToken,
  HopsworksConfiguredCluster,
  HopsworksDatabricksInstance,
  QualyticsDatabricksDatastore,
  QualyticsDatabricksEnrichmentDatastore,
} from "pulumi-databricks-integrations";

/**
 * Many configured clusters and datastores in one stack. The shared part (a token, its Hopsworks
 * registration, an enrichment datastore) is always there; `bench:clusterIds` (JSON list) adds one
 * configured cluster per id and `bench:datastores` that many source datastores linked to the
 * enrichment. `bench:description` changes every source's description (an in-place update).
 */
export = async () => {
  const config = new pulumi.Config("bench");
  const clusterIds = config.getObject<string[]>("clusterIds") ?? [];
  const datastores = config.getNumber("datastores") ?? 0;
  const httpPath = config.require("sqlHttpPath");
  const description = config.get("description") ?? "bench";

  const token = new DatabricksAccessToken("pat", { comment: "bench scale", lifetimeDays: 90 });
  const instance = new HopsworksDatabricksInstance("workspace", { workspaceHost: token.host, apiKey: token.value });
  const connection = { serverHostname: token.host, httpPath, personalAccessToken: token.value };
  const enrichment = new QualyticsDatabricksEnrichmentDatastore("enrichment", {
    ...connection,
    name: "bench_scale_enrichment",
    catalog: "quality",
    database: "enrichment",
  });
  clusterIds.forEach((clusterId, i) => {
    new HopsworksConfiguredCluster(`cluster-${String(i).padStart(2, "0")}`, { workspaceHost: instance.workspaceHost, clusterId });
  });
  for (let i = 0; i < datastores; i++) {
    const n = String(i).padStart(2, "0");
    new QualyticsDatabricksDatastore(`datastore-${n}`, {
      ...connection,
      name: `bench_scale_source_${n}`,
      catalog: "main",
      database: "sales",
      description,
      enrichmentDatastoreId: enrichment.datastoreId,
    });
  }
  return {};
};
