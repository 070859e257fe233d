export { DatabricksAccessToken, type DatabricksAccessTokenArgs } from "./databricks/access-token";
export { DatabricksClient } from "./databricks/client";
export { parseWorkspaceHost } from "./databricks/host";
export { ServiceError, ConfigurationError } from "./core/errors";
export { QualyticsDatabricksDatastore, type QualyticsDatabricksDatastoreArgs } from "./qualytics/databricks-datastore";
export { QualyticsDatabricksEnrichmentDatastore, type QualyticsDatabricksEnrichmentDatastoreArgs } from "./qualytics/databricks-enrichment-datastore";
export { QualyticsClient } from "./qualytics/client";
