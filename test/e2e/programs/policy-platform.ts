import * as pulumi from "@pulumi/pulumi";
import {
  DatabricksAccessToken,
  HopsworksConfiguredCluster,
  HopsworksDatabricksInstance,
  QualyticsDatabricksDatastore,
  QualyticsDatabricksEnrichmentDatastore,
} from "pulumi-databricks-integrations";

/**
 * A platform for the policy pack (examples/gitops/policy) to review; `test:variant` picks it:
 *
 * - `compliant`: tokens that expire and rotate; a source datastore linked to an enrichment
 *   datastore created alongside (its id unknown in preview); clusters configured for a member
 *   (`test:memberUser`), for the deploying user (no targetUser), and for the registration's
 *   user (a targetUser unknown in preview).
 * - `violations`: every resource breaks a mandatory policy, so a blocked `up` creates nothing: a
 *   token without a lifetime, a source datastore without enrichment (and `adopt: true`), and a
 *   cluster configured for `test:outsiderUser`, who is not in the project.
 */
export = async () => {
  const config = new pulumi.Config("test");
  const variant = config.require("variant");
  const connection = { serverHostname: config.require("serverHostname"), httpPath: config.require("httpPath") };

  if (variant === "compliant") {
    const hopsworksPat = new DatabricksAccessToken("hopsworks-pat", { comment: "policy e2e: hopsworks", lifetimeDays: 90, rotateBeforeDays: 14 });
    const registration = new HopsworksDatabricksInstance("workspace", { workspaceHost: hopsworksPat.host, apiKey: hopsworksPat.value });
    new HopsworksConfiguredCluster("for-member", {
      workspaceHost: registration.workspaceHost,
      clusterId: config.require("clusterA"),
      targetUser: config.require("memberUser"),
    });
    new HopsworksConfiguredCluster("for-deployer", { workspaceHost: registration.workspaceHost, clusterId: config.require("clusterB") });
    new HopsworksConfiguredCluster("for-registrant", {
      workspaceHost: registration.workspaceHost,
      clusterId: config.require("clusterC"),
      targetUser: registration.username,
    });

    const qualyticsPat = new DatabricksAccessToken("qualytics-pat", { comment: "policy e2e: qualytics", lifetimeDays: 30, rotateBeforeDays: 7 });
    const enrichment = new QualyticsDatabricksEnrichmentDatastore("enrichment", {
      ...connection,
      personalAccessToken: qualyticsPat.value,
      name: "dbx_policy_enrichment",
      catalog: "main",
      database: "default",
    });
    new QualyticsDatabricksDatastore("sales", {
      ...connection,
      personalAccessToken: qualyticsPat.value,
      name: "dbx_policy_sales",
      catalog: "main",
      database: "sales",
      enrichmentDatastoreId: enrichment.datastoreId,
    });
    return;
  }

  if (variant === "violations") {
    new DatabricksAccessToken("forever", { comment: "policy e2e: no lifetime" });
    new QualyticsDatabricksDatastore("unenriched", {
      ...connection,
      personalAccessToken: config.requireSecret("pat"),
      name: "dbx_policy_unenriched",
      catalog: "main",
      database: "sales",
      adopt: true,
    });
    new HopsworksConfiguredCluster("for-outsider", {
      workspaceHost: config.require("workspaceHost"),
      clusterId: config.require("clusterA"),
      targetUser: config.require("outsiderUser"),
    });
    return;
  }

  throw new Error(`test:variant must be "compliant" or "violations", not "${variant}"`);
};
