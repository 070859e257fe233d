import { accessTokenInputsSchema } from "../databricks/access-token";
import { configuredClusterInputsSchema } from "../hopsworks/configured-cluster";
import { instanceInputsSchema } from "../hopsworks/databricks-instance";
import { databricksDatastoreInputsSchema } from "../qualytics/databricks-datastore";
import { enrichmentDatastoreInputsSchema } from "../qualytics/databricks-enrichment-datastore";

/**
 * Every input of this package's resources, by type name, read from their schemas. A preview
 * leaves out inputs the program did not set, so without this list a field set out of band (a
 * description typed into a console) could not be named in a drift report.
 */
export const INPUT_KEYS: Record<string, readonly string[]> = {
  DatabricksAccessToken: Object.keys(accessTokenInputsSchema.shape),
  HopsworksDatabricksInstance: Object.keys(instanceInputsSchema.shape),
  HopsworksConfiguredCluster: Object.keys(configuredClusterInputsSchema.shape),
  QualyticsDatabricksDatastore: Object.keys(databricksDatastoreInputsSchema.shape),
  QualyticsDatabricksEnrichmentDatastore: Object.keys(enrichmentDatastoreInputsSchema.shape),
};
