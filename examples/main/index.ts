import * as pulumi from "@pulumi/pulumi";
import {
  DatabricksAccessToken,
  HopsworksConfiguredCluster,
  HopsworksDatabricksInstance,
  QualyticsDatabricksDatastore,
  QualyticsDatabricksEnrichmentDatastore,
} from "pulumi-databricks-integrations";

/** One Databricks cluster to set up for one Hopsworks project member. */
interface FeatureStoreCluster {
  /** The Databricks cluster id, e.g. `0923-164208-abcd1234`. */
  clusterId: string;
  /** The Hopsworks project member (username or email) whose certificates the cluster gets. */
  user: string;
}

/**
 * The whole platform: Databricks wired to the Hopsworks feature store and to Qualytics.
 *
 * - two Databricks access tokens, one per integration, so revoking one never breaks the other;
 * - the workspace registered with Hopsworks (with the Hopsworks token);
 * - one configured cluster per entry of `platform:featureStoreClusters`, each for a project member;
 * - a Qualytics enrichment datastore, and a source datastore linked to it (with the Qualytics token).
 *
 * Credentials come from the stack config the resources read (`databricks:*`, `hopsworks:*`,
 * `qualytics:*`); what this platform looks like comes from `platform:*`. See README.md.
 */
export = async () => {
  const platform = new pulumi.Config("platform");
  const clusters = featureStoreClusters(platform);
  const tokenPolicy = {
    lifetimeDays: platform.getNumber("tokenLifetimeDays") ?? 90,
    rotateBeforeDays: platform.getNumber("tokenRotateBeforeDays") ?? 14,
  };

  // Hopsworks: the token it calls Databricks with, registered for the Hopsworks login user.
  const hopsworksToken = new DatabricksAccessToken("hopsworks", { comment: "Hopsworks feature store integration", ...tokenPolicy });
  const registration = new HopsworksDatabricksInstance("workspace", { workspaceHost: hopsworksToken.host, apiKey: hopsworksToken.value });
  const configured = Object.entries(clusters).map(
    ([name, cluster]) =>
      new HopsworksConfiguredCluster(name, {
        workspaceHost: registration.workspaceHost,
        clusterId: cluster.clusterId,
        targetUser: cluster.user,
        secretsStore: platform.get("secretsStore") as "secretsmanager" | "parameterstore" | "local" | undefined,
      }),
  );

  // Qualytics: an enrichment datastore for anomalies and remediation, and the source it serves.
  const qualyticsToken = new DatabricksAccessToken("qualytics", { comment: "Qualytics data quality integration", ...tokenPolicy });
  const connection = {
    serverHostname: qualyticsToken.host,
    httpPath: platform.require("sqlHttpPath"),
    personalAccessToken: qualyticsToken.value,
    // Take over datastores of these names that already exist (after an interrupted deployment).
    adopt: platform.getBoolean("adoptDatastores") ?? false,
  };
  const enrichment = new QualyticsDatabricksEnrichmentDatastore("enrichment", {
    ...connection,
    name: platform.get("enrichmentDatastoreName") ?? "databricks_enrichment",
    catalog: platform.get("enrichmentCatalog") ?? "quality",
    database: platform.get("enrichmentDatabase") ?? "enrichment",
  });
  const source = new QualyticsDatabricksDatastore("source", {
    ...connection,
    name: platform.get("sourceDatastoreName") ?? "databricks_sales",
    catalog: platform.get("sourceCatalog") ?? "main",
    database: platform.get("sourceDatabase") ?? "sales",
    enrichmentDatastoreId: enrichment.datastoreId,
    // What this source writes into the enrichment datastore (a setting of the source).
    enrichmentRemediationStrategy: "append",
  });

  return {
    workspace: hopsworksToken.host,
    tokenExpiry: { hopsworks: hopsworksToken.expiryTime, qualytics: qualyticsToken.expiryTime },
    hopsworksRegistration: { username: registration.username, keyStatus: registration.keyStatus },
    featureStoreClusters: Object.fromEntries(
      configured.map((c, i) => [
        Object.keys(clusters)[i],
        { clusterId: c.clusterId, user: c.targetUsername, state: c.clusterState, hsfs: c.hsfsVersion, drift: c.drift },
      ]),
    ),
    // The same cell works on every configured cluster: the certificates differ, not the call.
    hsfsConnectionSnippet: configured[0]?.snippet,
    qualytics: {
      sourceDatastoreId: source.datastoreId,
      sourceConnected: source.connected,
      enrichmentDatastoreId: enrichment.datastoreId,
      enrichmentConnected: enrichment.connected,
      linkedEnrichmentId: source.enrichmentDatastoreId,
    },
  };
};

/**
 * `platform:featureStoreClusters`: `{ "<name>": { "clusterId": "...", "user": "..." } }`. The
 * name keys the Pulumi resource, so renaming one replaces its configuration.
 */
function featureStoreClusters(platform: pulumi.Config): Record<string, FeatureStoreCluster> {
  const raw = platform.requireObject<Record<string, Partial<FeatureStoreCluster>>>("featureStoreClusters");
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    throw new Error('platform:featureStoreClusters: must be an object like {"training": {"clusterId": "0923-164208-efgh5678", "user": "mlengineer"}}');
  }
  for (const [name, cluster] of Object.entries(raw)) {
    for (const field of ["clusterId", "user"] as const) {
      if (typeof cluster?.[field] !== "string" || !cluster[field]) {
        throw new Error(`platform:featureStoreClusters.${name}.${field}: must be a non-empty string`);
      }
    }
  }
  return raw as Record<string, FeatureStoreCluster>;
}
