export { DatabricksAccessToken, type DatabricksAccessTokenArgs } from "./databricks/access-token";
export { DatabricksClient } from "./databricks/client";
export { parseWorkspaceHost } from "./databricks/host";
export { ServiceError, ConfigurationError } from "./core/errors";
