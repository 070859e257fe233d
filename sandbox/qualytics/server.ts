import { acceptEmptyBodies } from "../common/empty-bodies";
import { listenAll } from "../common/listen";
import Fastify, { type FastifyInstance } from "fastify";
import * as path from "path";
import { ScaledClock } from "../common/clock";
import { ControlPlane } from "../common/control";
import { JsonFile } from "../common/persistence";
import { SecretLedger, installSecretsRoute } from "../common/secrets-route";
import { installBearerAuth } from "./auth";
import { DatabricksConnectionTester } from "./connection-test";
import { connectionRoutes } from "./connections";
import type { DatabricksWorkspaceTarget } from "./databricks-client";
import { datastoreVerifyRoutes } from "./datastore-verify";
import { datastoreRoutes } from "./datastores";
import { discoveryRoutes } from "./discovery";
import { enrichmentRoutes } from "./enrichment";
import { QualyticsApiError, RequestValidationError } from "./errors";
import { QualyticsInstance } from "./instance";
import type { InstanceData } from "./model";
import { operationRoutes } from "./operations";
import { RateLimiter } from "./rate-limit";
import { NO_BODY, invalidJson } from "./request";
import { qualyticsSeedSchema, type QualyticsSeed } from "./seed";
import { newInstanceData, refreshFromSeed, seedDatastores } from "./seeding";
import { collectRoutes, serviceRoutes } from "./service-info";

export interface QualyticsSandboxOptions {
  seed: QualyticsSeed | unknown;
  /** Folder for `qualytics.json`; omitted: state lives in memory only. */
  stateDir?: string;
  clock?: ScaledClock;
  /** Interface to listen on; loopback by default. */
  listenHost?: string;
  /** Real host -> port to try first (falls back to a free port when taken). */
  preferredPorts?: Record<string, number>;
  /**
   * The Databricks workspaces connection tests may reach (real host, local URL of the running
   * Databricks sandbox, org id). A connection whose host is not here is an unknown host.
   */
  databricksWorkspaces?: DatabricksWorkspaceTarget[];
}

export interface RunningInstance {
  host: string;
  /** Local base URL (`http://127.0.0.1:<port>`) serving this deployment's `/api/...`. */
  url: string;
  instance: QualyticsInstance;
}

export interface QualyticsSandbox {
  /** Real host name -> local base URL: the endpoint-override map clients are given. */
  endpoints: Record<string, string>;
  instances: RunningInstance[];
  control: ControlPlane;
  rateLimiter: RateLimiter;
  close(): Promise<void>;
}

interface PersistedState {
  version: 1;
  instances: InstanceData[];
}

/**
 * Starts one HTTP listener per seeded Qualytics deployment, each serving the REST API under
 * `/api`. State is restored from `stateDir` when present, so a restarted sandbox continues where
 * it stopped; the seed only fills deployments it has not seen.
 */
export async function startQualyticsSandbox(options: QualyticsSandboxOptions): Promise<QualyticsSandbox> {
  const seed = qualyticsSeedSchema.parse(options.seed ?? {});
  const clock = options.clock ?? new ScaledClock(1);
  const control = new ControlPlane("qualytics", clock);
  control.faultBody = (status) => ({ detail: status === 429 ? "Too Many Requests" : status === 503 ? "Service Unavailable" : "Internal Server Error" });
  const rateLimiter = new RateLimiter(seed.rateLimit.requestsPerSecond);
  const tester = new DatabricksConnectionTester(options.databricksWorkspaces ?? []);

  const file = new JsonFile<PersistedState>(options.stateDir ? path.join(options.stateDir, "qualytics.json") : undefined);
  const data: InstanceData[] = file.load()?.instances ?? [];
  const secrets = new SecretLedger("qualytics", options.stateDir);
  secrets.add(...seed.instances.flatMap((i) => i.users.flatMap((u) => u.tokens.map((t) => t.value))));
  const save = () => {
    file.save({ version: 1, instances: data });
    secrets.add(...heldSecrets(data));
  };

  const instances: QualyticsInstance[] = [];
  for (const instanceSeed of seed.instances) {
    let instanceData = data.find((d) => d.host === instanceSeed.host);
    const fresh = !instanceData;
    if (!instanceData) {
      instanceData = newInstanceData(instanceSeed);
      data.push(instanceData);
    } else {
      refreshFromSeed(instanceData, instanceSeed);
    }
    const instance = new QualyticsInstance(instanceData, clock, tester, save, secrets);
    if (fresh) seedDatastores(instance, instanceSeed.datastores);
    instances.push(instance);
  }
  save();

  const apps = instances.map((instance) => buildInstanceApp(instance, control, rateLimiter));
  const urls = await listenAll(apps, options.listenHost, instances.map((i) => options.preferredPorts?.[i.host]));
  const running: RunningInstance[] = instances.map((instance, i) => ({ host: instance.host, url: urls[i]!, instance }));

  return {
    endpoints: Object.fromEntries(running.map((r) => [r.host, r.url])),
    instances: running,
    control,
    rateLimiter,
    close: async () => {
      await Promise.all(apps.map((a) => a.close()));
    },
  };
}

/** What the deployments keep in clear: the connections' Databricks tokens. */
const heldSecrets = (data: InstanceData[]): string[] => data.flatMap((d) => d.connections.map((c) => c.password));

function buildInstanceApp(inst: QualyticsInstance, control: ControlPlane, rateLimiter: RateLimiter): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  // Order matters: the request log and injected faults first, then the limiter in front of the API.
  control.install(app, () => inst.host);
  rateLimiter.install(app, inst.host);
  installSecretsRoute(app, inst.secrets, () => heldSecrets([inst.data]));

  // An empty body is "no body" (FastAPI's 422 `missing` for routes that need one), and malformed
  // JSON is FastAPI's 422 `json_invalid`.
  acceptEmptyBodies(app);
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") return done(null, NO_BODY);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      const reason = err instanceof Error ? err.message : "Invalid JSON";
      const position = Number(/position (\d+)/.exec(reason)?.[1] ?? 0);
      done(invalidJson(position, reason), undefined);
    }
  });

  installBearerAuth(app, inst);
  const routes = collectRoutes(app);

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof QualyticsApiError) return reply.code(err.status).headers(err.headers).send(err.toBody());
    if (err instanceof RequestValidationError) return reply.code(422).send(err.toBody());
    const status = (err as { statusCode?: number }).statusCode;
    // Fastify's own refusals (415 unsupported media type, 413 body too large, ...), in FastAPI's shape.
    if (status && status < 500) return reply.code(status).send({ detail: err instanceof Error ? err.message : String(err) });
    return reply.code(500).send({ detail: "Internal Server Error" });
  });
  app.setNotFoundHandler((_req, reply) => {
    reply.code(404).send({ detail: "Not Found" });
  });

  datastoreRoutes(app, inst);
  datastoreVerifyRoutes(app, inst);
  enrichmentRoutes(app, inst);
  connectionRoutes(app, inst);
  discoveryRoutes(app, inst);
  operationRoutes(app, inst);
  serviceRoutes(app, inst, routes);
  return app;
}
