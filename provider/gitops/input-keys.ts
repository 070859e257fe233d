import { accessTokenFields } from "../databricks/access-token";
import { configuredClusterFields } from "../hopsworks/configured-cluster";
import { instanceFields } from "../hopsworks/databricks-instance";
import { databricksDatastoreFields } from "../qualytics/databricks-datastore";
import { enrichmentDatastoreFields } from "../qualytics/databricks-enrichment-datastore";

/**
 * Every input of this package's resources, by type name, read from their field tables. A preview
 * leaves out inputs the program did not set, so without this list a field set out of band (a
 * description typed into a console) could not be named in a drift report.
 */
export const INPUT_KEYS: Record<string, readonly string[]> = {
  DatabricksAccessToken: accessTokenFields.inputKeys,
  HopsworksDatabricksInstance: instanceFields.inputKeys,
  HopsworksConfiguredCluster: configuredClusterFields.inputKeys,
  QualyticsDatabricksDatastore: databricksDatastoreFields.inputKeys,
  QualyticsDatabricksEnrichmentDatastore: enrichmentDatastoreFields.inputKeys,
};
