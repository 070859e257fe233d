export { startDatabricksSandbox } from "./server";
export type { DatabricksSandbox, DatabricksSandboxOptions, RunningWorkspace } from "./server";
export { databricksSeedSchema } from "./seed";
export type { DatabricksSeed, WorkspaceSeed } from "./seed";
