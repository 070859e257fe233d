import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import * as path from "path";
import { Answer, acceptAnswers, send } from "./answer";
import { ScaledClock } from "./clock";
import { ControlPlane } from "./control";
import { acceptEmptyBodies } from "./empty-bodies";
import type { InstanceContext, ServiceInstance } from "./instance";
import { listenAll } from "./listen";
import { JsonFile } from "./persistence";
import { SecretLedger, installSecretsRoute } from "./secrets-route";

/** What each service module registers on one host's app: a group of routes, all handlers returning values or `Answer`s. */
export type RouteModule<I> = (app: FastifyInstance, inst: I) => void;

/**
 * How one service's app reads requests and words its errors: the wire format is the service's
 * own (Databricks `{error_code, message}`, Hopsworks `{errorCode, errorMsg, ...}`, FastAPI
 * `{detail}`), the machinery is shared.
 */
export interface ServiceApp<I> {
  bodyLimit: number;
  /** What a JSON request with an empty body parses as. */
  emptyJson: unknown;
  /** The error a JSON body that does not parse becomes (`reason` is the parser's message). */
  malformedJson(reason: string): Error;
  /** Parsers of other content types the service reads (forms, ...). */
  parsers?(app: FastifyInstance): void;
  /** Authentication hooks, and anything else to install before the routes. */
  prepare?(app: FastifyInstance, inst: I): void;
  /** The answer to one of the service's own errors; undefined for anything else. */
  errorAnswer(err: unknown, inst: I): Answer | undefined;
  /** The framework's own refusals (415, 413, 400 ...) in the service's shape. */
  refusal(status: number, message: string): Answer;
  /** Anything else thrown: a 500 in the service's shape. */
  internalError(message: string): Answer;
  notFound(req: FastifyRequest): Answer;
  /** The routing table: every route module, in registration order. */
  routes: RouteModule<I>[];
  /** A path every route lives under (Hopsworks' `/hopsworks-api/api`). */
  prefix?: string;
}

/**
 * One sandbox service: the hosts its seed names, each with its own state, listener and routes,
 * kept together in `<stateDir>/<name>.json` as `{version: 1, <stateKey>: [...]}`.
 */
export interface ServiceSpec<S extends { host: string }, D extends { host: string }, I extends ServiceInstance<D, unknown>> {
  /** `databricks`, `hopsworks`, `qualytics`: the control plane's service, the state and secret files. */
  name: string;
  /** The key of the host list in the state file (`workspaces`, `instances`). */
  stateKey: string;
  /** The hosts to serve, from the parsed seed. */
  seeds: S[];
  /** Credentials the seed gives in clear, for the secret ledger. */
  seededSecrets: string[];
  /** What a host keeps in clear, recorded in the ledger at every save and every secrets audit. */
  heldSecrets?(data: D): string[];
  /** The body a faulted request gets, in the service's error shape. */
  faultBody(status: number): unknown;
  /**
   * The service's own rate limit: the limit it starts with (the control plane's limiter, one
   * bucket per host; `POST /__sandbox/rate-limit` changes it) and its 429 body. Without it the
   * limit starts off and a refusal is the 429 fault body.
   */
  rateLimit?: { requestsPerSecond: number | null; body(requestsPerSecond: number): unknown };
  /** The state of a host the saved state has not seen. */
  create(seed: S, clock: ScaledClock): D;
  /** A restored host takes the seed's settings again (a seed edited since applies on restart). */
  refresh?(data: D, seed: S): void;
  /** The host's instance; `fresh` when its state was just created from the seed. */
  instance(data: D, seed: S, context: InstanceContext & { fresh: boolean }): I;
  app: ServiceApp<I>;
}

export interface ServiceOptions {
  stateDir?: string;
  clock?: ScaledClock;
  /** Interface to listen on; loopback by default. */
  listenHost?: string;
  /** Real host -> port to try first (falls back to a free port when taken). */
  preferredPorts?: Record<string, number>;
}

/** What every started service hands back, whatever it calls its hosts. */
export interface ServiceHandle {
  /** Real host name -> local base URL (no base path): the endpoint-override map clients are given. */
  endpoints: Record<string, string>;
  control: ControlPlane;
  close(): Promise<void>;
}

/** One host of a running service: its real name, local base URL (`http://127.0.0.1:<port>`) and instance. */
export interface RunningHost<I> {
  host: string;
  url: string;
  instance: I;
}

export interface RunningService<I> extends ServiceHandle {
  /** Every host, in seed order. */
  running: RunningHost<I>[];
}

/**
 * Starts one HTTP listener per seeded host. State is restored from `stateDir` when present, so a
 * restarted sandbox continues where it stopped; the seed only fills hosts it has not seen.
 */
export async function startService<S extends { host: string }, D extends { host: string }, I extends ServiceInstance<D, unknown>>(
  spec: ServiceSpec<S, D, I>,
  options: ServiceOptions,
): Promise<RunningService<I>> {
  const clock = options.clock ?? new ScaledClock(1);
  const control = new ControlPlane(spec.name, clock);
  control.faultBody = (status) => spec.faultBody(status);
  if (spec.rateLimit) {
    control.rateLimiter.configure(spec.rateLimit.requestsPerSecond);
    control.rateLimitBody = (requestsPerSecond) => spec.rateLimit!.body(requestsPerSecond);
  }

  const file = new JsonFile<{ version: 1 } & Record<string, D[]>>(options.stateDir ? path.join(options.stateDir, `${spec.name}.json`) : undefined);
  const data: D[] = file.load()?.[spec.stateKey] ?? [];
  const secrets = new SecretLedger(spec.name, options.stateDir);
  secrets.add(...spec.seededSecrets);
  const save = () => {
    file.save({ version: 1, [spec.stateKey]: data } as { version: 1 } & Record<string, D[]>);
    if (spec.heldSecrets) secrets.add(...data.flatMap((d) => spec.heldSecrets!(d)));
  };

  const instances = spec.seeds.map((seed) => {
    let hostData = data.find((d) => d.host === seed.host);
    const fresh = !hostData;
    if (!hostData) {
      hostData = spec.create(seed, clock);
      data.push(hostData);
    } else {
      spec.refresh?.(hostData, seed);
    }
    return spec.instance(hostData, seed, { clock, save, secrets, fresh });
  });
  save();

  const apps = instances.map((instance) => buildApp(spec, instance, control));
  const urls = await listenAll(
    apps,
    options.listenHost,
    instances.map((i) => options.preferredPorts?.[i.host]),
  );
  const running = instances.map((instance, i) => ({ host: instance.host, url: urls[i]!, instance }));
  return {
    endpoints: Object.fromEntries(running.map((r) => [r.host, r.url])),
    running,
    control,
    close: async () => {
      await Promise.all(apps.map((a) => a.close()));
    },
  };
}

function buildApp<S extends { host: string }, D extends { host: string }, I extends ServiceInstance<D, unknown>>(
  spec: ServiceSpec<S, D, I>,
  inst: I,
  control: ControlPlane,
): FastifyInstance {
  const service = spec.app;
  const app = Fastify({ logger: false, bodyLimit: service.bodyLimit });
  // Order matters: the request log, injected faults and rate limit come before anything else.
  control.install(app, () => inst.host);
  installSecretsRoute(app, inst.secrets, () => spec.heldSecrets?.(inst.data) ?? []);

  acceptEmptyBodies(app);
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") return done(null, service.emptyJson);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(service.malformedJson(err instanceof Error ? err.message : "Invalid JSON"), undefined);
    }
  });
  service.parsers?.(app);
  service.prepare?.(app, inst);
  acceptAnswers(app);

  app.setErrorHandler((err, _req, reply) => {
    const own = service.errorAnswer(err, inst);
    if (own) return send(reply, own);
    const status = (err as { statusCode?: number }).statusCode;
    const message = err instanceof Error ? err.message : String(err);
    return send(reply, status && status < 500 ? service.refusal(status, message) : service.internalError(message));
  });
  app.setNotFoundHandler((req, reply) => {
    send(reply, service.notFound(req));
  });

  const register = (scope: FastifyInstance) => {
    for (const routes of service.routes) routes(scope, inst);
  };
  if (service.prefix) app.register(async (scope) => register(scope), { prefix: service.prefix });
  else register(app);
  return app;
}
