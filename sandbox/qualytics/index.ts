export { startQualyticsSandbox } from "./server";
export type { QualyticsSandbox, QualyticsSandboxOptions, RunningInstance } from "./server";
export { qualyticsSeedSchema } from "./seed";
export type { QualyticsSeed, QualyticsInstanceSeed } from "./seed";
export type { DatabricksWorkspaceTarget } from "./databricks-client";
export { DEFAULT_SIGNING_KEY, mintQualyticsToken, verifyQualyticsToken } from "./tokens";
export type { Dialect } from "./dialect";
