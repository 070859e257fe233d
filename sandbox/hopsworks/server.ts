import Fastify, { type FastifyInstance } from "fastify";
import * as path from "path";
import { ScaledClock } from "../common/clock";
import { ControlPlane } from "../common/control";
import { acceptEmptyBodies } from "../common/empty-bodies";
import { listenAll } from "../common/listen";
import { JsonFile } from "../common/persistence";
import { SecretLedger, installSecretsRoute } from "../common/secrets-route";
import { installAuth, loginRoutes, versionRoutes } from "./auth";
import { DatabricksWorkspaces, type DatabricksWorkspaceTarget } from "./databricks-client";
import { HopsworksApiError, unknownError, webApplication } from "./errors";
import { HopsworksInstance } from "./instance";
import { integrationRoutes } from "./integrations";
import type { InstanceData } from "./model";
import { projectRoutes } from "./projects";
import { hopsworksSeedSchema, type HopsworksSeed } from "./seed";
import { newInstanceData, siteSettingsOf } from "./seeding";
import { userRoutes } from "./users";

/** Every REST route lives under this path, as on a real cluster. */
export const API_BASE = "/hopsworks-api/api";

export interface HopsworksSandboxOptions {
  seed: HopsworksSeed | unknown;
  /** Folder for `hopsworks.json`; omitted: state lives in memory only. */
  stateDir?: string;
  clock?: ScaledClock;
  /** Interface to listen on; loopback by default. */
  listenHost?: string;
  /** Real host -> port to try first (falls back to a free port when taken). */
  preferredPorts?: Record<string, number>;
  /** The Databricks workspaces the integration can reach; any other host is unknown. */
  databricksWorkspaces?: DatabricksWorkspaceTarget[];
}

export interface RunningHopsworksInstance {
  host: string;
  /** Local base URL (`http://127.0.0.1:<port>`); the API is under `/hopsworks-api/api`. */
  url: string;
  instance: HopsworksInstance;
}

export interface HopsworksSandbox {
  /** Real host name -> local base URL (no base path): the endpoint-override map clients are given. */
  endpoints: Record<string, string>;
  instances: RunningHopsworksInstance[];
  control: ControlPlane;
  close(): Promise<void>;
}

interface PersistedState {
  version: 1;
  instances: InstanceData[];
}

/**
 * Starts one HTTP listener per seeded Hopsworks cluster. State is restored from `stateDir` when
 * present, so a restarted sandbox continues where it stopped; the seed only fills clusters it
 * has not seen.
 */
export async function startHopsworksSandbox(options: HopsworksSandboxOptions): Promise<HopsworksSandbox> {
  const seed = hopsworksSeedSchema.parse(options.seed ?? {});
  const clock = options.clock ?? new ScaledClock(1);
  const control = new ControlPlane("hopsworks", clock);
  control.faultBody = (status) => ({
    errorCode: 120000,
    errorMsg: status === 429 ? "Too Many Requests" : status === 503 ? "Service Unavailable" : "A generic error occurred.",
  });
  const workspaces = new DatabricksWorkspaces(options.databricksWorkspaces ?? []);

  const file = new JsonFile<PersistedState>(options.stateDir ? path.join(options.stateDir, "hopsworks.json") : undefined);
  const data: InstanceData[] = file.load()?.instances ?? [];
  const secrets = new SecretLedger("hopsworks", options.stateDir);
  secrets.add(...seed.instances.flatMap((i) => i.users.flatMap((u) => [u.password, ...u.apiKeys.map((k) => k.value)])));
  const save = () => {
    file.save({ version: 1, instances: data });
    secrets.add(...heldSecrets(data));
  };

  const instances: HopsworksInstance[] = [];
  for (const instanceSeed of seed.instances) {
    let instanceData = data.find((d) => d.host === instanceSeed.host);
    if (!instanceData) {
      instanceData = newInstanceData(instanceSeed, clock.now());
      data.push(instanceData);
    } else if (!instanceData.settings) {
      // State written before site settings existed: take them from the seed.
      instanceData.settings = siteSettingsOf(instanceSeed);
    }
    instances.push(new HopsworksInstance(instanceData, clock, workspaces, save, secrets));
  }
  save();

  const apps = instances.map((instance) => buildInstanceApp(instance, control));
  const urls = await listenAll(apps, options.listenHost, instances.map((i) => options.preferredPorts?.[i.host]));
  const running = instances.map((instance, i) => ({ host: instance.host, url: urls[i]!, instance }));

  return {
    endpoints: Object.fromEntries(running.map((r) => [r.host, r.url])),
    instances: running,
    control,
    close: async () => {
      await Promise.all(apps.map((a) => a.close()));
    },
  };
}

/** What the clusters keep in clear: users' secrets (e.g. registered Databricks keys) and keystore passwords. */
const heldSecrets = (data: InstanceData[]): string[] => data.flatMap((d) => [...d.secrets.map((s) => s.value), ...Object.values(d.certPasswords)]);

function buildInstanceApp(inst: HopsworksInstance, control: ControlPlane): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  control.install(app, () => inst.host);
  installSecretsRoute(app, inst.secrets, () => heldSecrets([inst.data]));
  installAuth(app, inst);

  acceptEmptyBodies(app);
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(webApplication(400, "Bad Request"), undefined);
    }
  });
  // The login form; no new dependency for it.
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof body === "string" ? body : body.toString("utf8"))));
  });

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof HopsworksApiError) return reply.code(err.status).headers(err.headers).send(err.toBody(inst.sendsDevMsg));
    const status = (err as { statusCode?: number }).statusCode;
    // Fastify's own refusals (415, 413, ...) in the shape Jersey's WebApplicationException takes.
    if (status && status < 500) return reply.code(status).send(webApplication(status, err instanceof Error ? err.message : String(err)).toBody());
    return reply.code(500).send(unknownError(err instanceof Error ? err.message : String(err)).toBody());
  });
  app.setNotFoundHandler((_req, reply) => {
    reply.code(404).send(webApplication(404, "Not Found").toBody());
  });

  app.register(
    async (api) => {
      loginRoutes(api, inst);
      versionRoutes(api, inst);
      userRoutes(api, inst);
      projectRoutes(api, inst);
      integrationRoutes(api, inst);
    },
    { prefix: API_BASE },
  );
  return app;
}
