import * as fs from "fs";
import { z } from "zod";
import { ScaledClock } from "./common/clock";
import { startDatabricksSandbox, type DatabricksSandbox } from "./databricks";
import { databricksSeedSchema } from "./databricks/seed";
import { qualyticsSeedSchema, startQualyticsSandbox, type QualyticsSandbox } from "./qualytics";

/** The sandbox config file: seed data for every service, and the time scale. */
export const sandboxConfigSchema = z.object({
  /** Multiplies every real-world duration (cluster start, ...); 0.01 turns minutes into seconds. */
  timeScale: z.number().positive().default(0.01),
  databricks: databricksSeedSchema.default({ workspaces: [] }),
  qualytics: qualyticsSeedSchema.prefault({}),
});
export type SandboxConfig = z.infer<typeof sandboxConfigSchema>;

export interface Sandbox {
  databricks: DatabricksSandbox;
  qualytics: QualyticsSandbox;
  /** Real host name -> local URL, for every service: the endpoint-override setting's value. */
  endpoints: Record<string, string>;
  close(): Promise<void>;
}

export interface StartSandboxOptions {
  /** A sandbox config file (JSON); the default seed is `sandbox/seed.json`. */
  configFile?: string;
  config?: unknown;
  /** Where state is kept across restarts; omitted, it lives in memory. */
  stateDir?: string;
  timeScale?: number;
}

/** Starts the local stand-ins of the services: Databricks workspaces, then Qualytics deployments. */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<Sandbox> {
  const raw = options.config ?? (options.configFile ? JSON.parse(fs.readFileSync(options.configFile, "utf8")) : {});
  const config = sandboxConfigSchema.parse(raw);
  const clock = new ScaledClock(options.timeScale ?? config.timeScale);
  const databricks = await startDatabricksSandbox({ seed: config.databricks, stateDir: options.stateDir, clock });
  let qualytics: QualyticsSandbox;
  try {
    // Qualytics connection tests call the Databricks workspaces over HTTP.
    const databricksWorkspaces = databricks.workspaces.map((w) => ({ host: w.host, url: w.url, orgId: w.runtime.orgId }));
    qualytics = await startQualyticsSandbox({ seed: config.qualytics, stateDir: options.stateDir, clock, databricksWorkspaces });
  } catch (err) {
    await databricks.close();
    throw err;
  }
  return {
    databricks,
    qualytics,
    endpoints: { ...databricks.endpoints, ...qualytics.endpoints },
    close: async () => {
      await Promise.all([databricks.close(), qualytics.close()]);
    },
  };
}
