import { answer } from "../common/answer";
import type { TokenBucketLimiter } from "../common/rate-limit";
import { startService, type RunningHost, type ServiceHandle, type ServiceOptions, type ServiceSpec } from "../common/service";
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
import { rateLimitedBody } from "./rate-limit";
import { NO_BODY, invalidJson } from "./request";
import { qualyticsSeedSchema, type QualyticsInstanceSeed, type QualyticsSeed } from "./seed";
import { newInstanceData, refreshFromSeed, seedDatastores } from "./seeding";
import { collectRoutes, serviceRoutes } from "./service-info";

export interface QualyticsSandboxOptions extends ServiceOptions {
  seed: QualyticsSeed | unknown;
  /** Folder for `qualytics.json`; omitted: state lives in memory only. */
  stateDir?: string;
  /**
   * The Databricks workspaces connection tests may reach (real host, local URL of the running
   * Databricks sandbox, org id). A connection whose host is not here is an unknown host.
   */
  databricksWorkspaces?: DatabricksWorkspaceTarget[];
}

/** A running deployment, serving its `/api/...` at `url`. */
export type RunningInstance = RunningHost<QualyticsInstance>;

export interface QualyticsSandbox extends ServiceHandle {
  instances: RunningInstance[];
  /** The deployments' rate limit: the control plane's limiter (one bucket per deployment). */
  rateLimiter: TokenBucketLimiter;
}

/** What a deployment keeps in clear: the connections' Databricks tokens. */
const heldSecrets = (d: InstanceData): string[] => d.connections.map((c) => c.password);

type ParsedSeed = { rateLimit: { requestsPerSecond: number | null }; instances: QualyticsInstanceSeed[] };

const qualyticsService = (seed: ParsedSeed, tester: DatabricksConnectionTester): ServiceSpec<QualyticsInstanceSeed, InstanceData, QualyticsInstance> => ({
  name: "qualytics",
  stateKey: "instances",
  seeds: seed.instances,
  seededSecrets: seed.instances.flatMap((i) => i.users.flatMap((u) => u.tokens.map((t) => t.value))),
  heldSecrets,
  faultBody: (status) => ({ detail: status === 429 ? "Too Many Requests" : status === 503 ? "Service Unavailable" : "Internal Server Error" }),
  rateLimit: { requestsPerSecond: seed.rateLimit.requestsPerSecond, body: rateLimitedBody },
  create: (instanceSeed) => newInstanceData(instanceSeed),
  refresh: refreshFromSeed,
  instance: (instanceData, instanceSeed, context) => {
    const instance = new QualyticsInstance(instanceData, context, tester);
    if (context.fresh) seedDatastores(instance, instanceSeed.datastores);
    return instance;
  },
  app: {
    bodyLimit: 1024 * 1024,
    // An empty body is "no body" (FastAPI's 422 `missing` for routes that need one), and malformed
    // JSON is FastAPI's 422 `json_invalid`.
    emptyJson: NO_BODY,
    malformedJson: (reason) => invalidJson(Number(/position (\d+)/.exec(reason)?.[1] ?? 0), reason),
    prepare: (app, inst) => {
      installBearerAuth(app, inst);
      collectRoutes(app);
    },
    errorAnswer: (err) => {
      if (err instanceof QualyticsApiError) return answer(err.status, err.toBody(), err.headers);
      if (err instanceof RequestValidationError) return answer(422, err.toBody());
      return undefined;
    },
    // Fastify's own refusals (415 unsupported media type, 413 body too large, ...), in FastAPI's shape.
    refusal: (status, message) => answer(status, { detail: message }),
    internalError: () => answer(500, { detail: "Internal Server Error" }),
    notFound: () => answer(404, { detail: "Not Found" }),
    routes: [datastoreRoutes, datastoreVerifyRoutes, enrichmentRoutes, connectionRoutes, discoveryRoutes, operationRoutes, serviceRoutes],
  },
});

/**
 * Starts one HTTP listener per seeded Qualytics deployment, each serving the REST API under
 * `/api`. State is restored from `stateDir` when present, so a restarted sandbox continues where
 * it stopped; the seed only fills deployments it has not seen.
 */
export async function startQualyticsSandbox(options: QualyticsSandboxOptions): Promise<QualyticsSandbox> {
  const seed = qualyticsSeedSchema.parse(options.seed ?? {});
  const service = await startService(qualyticsService(seed, new DatabricksConnectionTester(options.databricksWorkspaces ?? [])), options);
  return {
    endpoints: service.endpoints,
    instances: service.running,
    control: service.control,
    rateLimiter: service.control.rateLimiter,
    close: service.close,
  };
}
