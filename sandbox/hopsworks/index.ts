export { hopsworksSeedSchema, type HopsworksSeed } from "./seed";
export { startHopsworksSandbox, type HopsworksSandbox, type HopsworksSandboxOptions } from "./server";
export type { RunningHopsworksInstance } from "./server";
export type { HopsworksInstance } from "./instance";
export type { DatabricksWorkspaceTarget as HopsworksDatabricksTarget } from "./databricks-client";
