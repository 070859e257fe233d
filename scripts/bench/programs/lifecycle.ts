import * as pulumi from "@pulumi/pulumi";
import {
  DatabricksAccessToken,
  HopsworksConfiguredCluster,
  HopsworksDatabricksInstance,
  QualyticsDatabricksDatastore,
  QualyticsDatabricksEnrichmentDatastore,
} from "pulumi-databricks-integrations";

/**
 * One resource of each type, for counting requests per lifecycle step. `bench:present` lists the
 * parts in the stack (token (which all others need), token2, instance, cluster, enrichment, datastore) and `bench:updated`
 * those whose inputs are in their second form:
 * - token: rotateBeforeDays 14 -> 7 (its only in-place change; comment or lifetime replace it);
 * - instance: apiKey from `token` to `token2` (key rotation: unregister, register);
 * - cluster: targetUser from the caller to another project member (reconfigure);
 * - enrichment, datastore: a new description.
 */
export = async () => {
  const config = new pulumi.Config("bench");
  const present = new Set(config.require("present").split(",").filter(Boolean));
  const updated = new Set((config.get("updated") ?? "").split(",").filter(Boolean));
  const clusterId = config.require("clusterId");
  const otherUser = config.require("otherUser");
  const httpPath = config.require("sqlHttpPath");

  if (!present.has("token")) return {};
  const token = new DatabricksAccessToken("pat", { comment: "bench lifecycle", lifetimeDays: 90, rotateBeforeDays: updated.has("token") ? 7 : 14 });
  const token2 = present.has("token2") ? new DatabricksAccessToken("pat-2", { comment: "bench lifecycle (rotated)", lifetimeDays: 90 }) : undefined;
  const instance = present.has("instance")
    ? new HopsworksDatabricksInstance("workspace", { workspaceHost: token.host, apiKey: updated.has("instance") && token2 ? token2.value : token.value })
    : undefined;
  if (present.has("cluster") && instance) {
    new HopsworksConfiguredCluster("cluster", {
      workspaceHost: instance.workspaceHost,
      clusterId,
      targetUser: updated.has("cluster") ? otherUser : undefined,
    });
  }
  const connection = { serverHostname: token.host, httpPath, personalAccessToken: token.value };
  const enrichment = present.has("enrichment")
    ? new QualyticsDatabricksEnrichmentDatastore("enrichment", {
        ...connection,
        name: "bench_lifecycle_enrichment",
        catalog: "quality",
        database: "enrichment",
        description: updated.has("enrichment") ? "bench: updated" : "bench",
      })
    : undefined;
  if (present.has("datastore")) {
    new QualyticsDatabricksDatastore("datastore", {
      ...connection,
      name: "bench_lifecycle_source",
      catalog: "main",
      database: "sales",
      description: updated.has("datastore") ? "bench: updated" : "bench",
      enrichmentDatastoreId: enrichment?.datastoreId,
    });
  }
  return {};
};
