import { answer } from "../common/answer";
import { startService, type RunningHost, type ServiceHandle, type ServiceOptions, type ServiceSpec } from "../common/service";
import { installAuth, loginRoutes, versionRoutes } from "./auth";
import { DatabricksWorkspaces, type DatabricksWorkspaceTarget } from "./databricks-client";
import { HopsworksApiError, unknownError, webApplication } from "./errors";
import { HopsworksInstance } from "./instance";
import { integrationRoutes } from "./integrations";
import type { InstanceData } from "./model";
import { projectRoutes } from "./projects";
import { hopsworksSeedSchema, type HopsworksInstanceSeed, type HopsworksSeed } from "./seed";
import { newInstanceData, siteSettingsOf } from "./seeding";
import { userRoutes } from "./users";

/** Every REST route lives under this path, as on a real cluster. */
export const API_BASE = "/hopsworks-api/api";

export interface HopsworksSandboxOptions extends ServiceOptions {
  seed: HopsworksSeed | unknown;
  /** Folder for `hopsworks.json`; omitted: state lives in memory only. */
  stateDir?: string;
  /** The Databricks workspaces the integration can reach; any other host is unknown. */
  databricksWorkspaces?: DatabricksWorkspaceTarget[];
}

/** A running cluster; the API is under `/hopsworks-api/api` of its `url`. */
export type RunningHopsworksInstance = RunningHost<HopsworksInstance>;

export interface HopsworksSandbox extends ServiceHandle {
  instances: RunningHopsworksInstance[];
}

/** What a cluster keeps in clear: users' secrets (e.g. registered Databricks keys) and keystore passwords. */
const heldSecrets = (d: InstanceData): string[] => [...d.secrets.map((s) => s.value), ...Object.values(d.certPasswords)];

const hopsworksService = (
  seed: { instances: HopsworksInstanceSeed[] },
  workspaces: DatabricksWorkspaces,
): ServiceSpec<HopsworksInstanceSeed, InstanceData, HopsworksInstance> => ({
  name: "hopsworks",
  stateKey: "instances",
  seeds: seed.instances,
  seededSecrets: seed.instances.flatMap((i) => i.users.flatMap((u) => [u.password, ...u.apiKeys.map((k) => k.value)])),
  heldSecrets,
  faultBody: (status) => ({
    errorCode: 120000,
    errorMsg: status === 429 ? "Too Many Requests" : status === 503 ? "Service Unavailable" : "A generic error occurred.",
  }),
  create: (instanceSeed, clock) => newInstanceData(instanceSeed, clock.now()),
  refresh: (instanceData, instanceSeed) => {
    // State written before site settings existed: take them from the seed.
    instanceData.settings ??= siteSettingsOf(instanceSeed);
  },
  instance: (instanceData, _seed, context) => new HopsworksInstance(instanceData, context, workspaces),
  app: {
    bodyLimit: 1024 * 1024,
    emptyJson: undefined,
    malformedJson: () => webApplication(400, "Bad Request"),
    // The login form; no new dependency for it.
    parsers: (app) =>
      app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(typeof body === "string" ? body : body.toString("utf8"))));
      }),
    prepare: installAuth,
    errorAnswer: (err, inst) => (err instanceof HopsworksApiError ? answer(err.status, err.toBody(inst.sendsDevMsg), err.headers) : undefined),
    // Fastify's own refusals (415, 413, ...) in the shape Jersey's WebApplicationException takes.
    refusal: (status, message) => answer(status, webApplication(status, message).toBody()),
    internalError: (message) => answer(500, unknownError(message).toBody()),
    notFound: () => answer(404, webApplication(404, "Not Found").toBody()),
    routes: [loginRoutes, versionRoutes, userRoutes, projectRoutes, integrationRoutes],
    prefix: API_BASE,
  },
});

/**
 * Starts one HTTP listener per seeded Hopsworks cluster. State is restored from `stateDir` when
 * present, so a restarted sandbox continues where it stopped; the seed only fills clusters it
 * has not seen.
 */
export async function startHopsworksSandbox(options: HopsworksSandboxOptions): Promise<HopsworksSandbox> {
  const seed = hopsworksSeedSchema.parse(options.seed ?? {});
  const service = await startService(hopsworksService(seed, new DatabricksWorkspaces(options.databricksWorkspaces ?? [])), options);
  return { endpoints: service.endpoints, instances: service.running, control: service.control, close: service.close };
}
