import * as fs from "fs";
import { z } from "zod";
import { ScaledClock } from "./common/clock";
import { startDatabricksSandbox, type DatabricksSandbox } from "./databricks";
import { databricksSeedSchema } from "./databricks/seed";
import { hopsworksSeedSchema, startHopsworksSandbox, type HopsworksSandbox } from "./hopsworks";
import { qualyticsSeedSchema, startQualyticsSandbox, type QualyticsSandbox } from "./qualytics";

/** The sandbox config file: seed data for every service, and the time scale. */
export const sandboxConfigSchema = z.object({
  /** Multiplies every real-world duration (cluster start, ...); 0.01 turns minutes into seconds. */
  timeScale: z.number().positive().default(0.01),
  databricks: databricksSeedSchema.default({ workspaces: [] }),
  qualytics: qualyticsSeedSchema.prefault({}),
  hopsworks: hopsworksSeedSchema.prefault({}),
});
export type SandboxConfig = z.infer<typeof sandboxConfigSchema>;

export interface Sandbox {
  databricks: DatabricksSandbox;
  qualytics: QualyticsSandbox;
  hopsworks: HopsworksSandbox;
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
  /** Real host -> port to try first, so a restarted sandbox keeps its endpoints. */
  preferredPorts?: Record<string, number>;
}

/**
 * Starts the local stand-ins of the services: Databricks workspaces first, then the services that
 * call them (Qualytics deployments, Hopsworks clusters). If one fails to start, those already
 * started are closed.
 */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<Sandbox> {
  const raw = options.config ?? (options.configFile ? JSON.parse(fs.readFileSync(options.configFile, "utf8")) : {});
  const config = sandboxConfigSchema.parse(raw);
  const clock = new ScaledClock(options.timeScale ?? config.timeScale);
  const databricks = await startDatabricksSandbox({ seed: config.databricks, stateDir: options.stateDir, clock, preferredPorts: options.preferredPorts });
  const started: { close(): Promise<void> }[] = [databricks];
  try {
    // Qualytics connection tests and Hopsworks' cluster configuration call the workspaces over HTTP.
    const qualytics = await startQualyticsSandbox({
      seed: config.qualytics,
      stateDir: options.stateDir,
      clock,
      preferredPorts: options.preferredPorts,
      databricksWorkspaces: databricks.workspaces.map((w) => ({ host: w.host, url: w.url, orgId: w.runtime.orgId })),
    });
    started.push(qualytics);
    const hopsworks = await startHopsworksSandbox({
      seed: config.hopsworks,
      stateDir: options.stateDir,
      clock,
      preferredPorts: options.preferredPorts,
      databricksWorkspaces: databricks.workspaces.map((w) => ({ host: w.host, url: w.url })),
    });
    started.push(hopsworks);
    return {
      databricks,
      qualytics,
      hopsworks,
      endpoints: { ...databricks.endpoints, ...qualytics.endpoints, ...hopsworks.endpoints },
      close: async () => {
        await Promise.all(started.map((s) => s.close()));
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => s.close()));
    throw err;
  }
}
