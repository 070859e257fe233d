import { acceptEmptyBodies } from "../common/empty-bodies";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { createHash } from "crypto";
import * as path from "path";
import { ScaledClock } from "../common/clock";
import { ControlPlane } from "../common/control";
import { listenAll } from "../common/listen";
import { JsonFile } from "../common/persistence";
import { SecretLedger, installSecretsRoute } from "../common/secrets-route";
import { DatabricksApiError, InvalidTokenError, unauthenticated } from "./errors";
import { databricksSeedSchema, type DatabricksSeed, type WorkspaceSeed } from "./seed";
import { findToken, tokensArea } from "./tokens";
import { WorkspaceRuntime, type AuthenticatedRequest, type WorkspaceArea, type WorkspaceData } from "./workspace";
import { workspaceAreas } from "./areas";

export interface DatabricksSandboxOptions {
  seed: DatabricksSeed | unknown;
  /** Folder for `databricks.json`; omitted: state lives in memory only. */
  stateDir?: string;
  clock?: ScaledClock;
  /** Interface to listen on; loopback by default. */
  listenHost?: string;
  /** Real host -> port to try first (falls back to a free port when taken). */
  preferredPorts?: Record<string, number>;
}

export interface RunningWorkspace {
  host: string;
  /** Local base URL (`http://127.0.0.1:<port>`) serving this workspace's `/api/...`. */
  url: string;
  runtime: WorkspaceRuntime;
}

export interface DatabricksSandbox {
  /** Real host name -> local base URL: the endpoint-override map clients are given. */
  endpoints: Record<string, string>;
  workspaces: RunningWorkspace[];
  control: ControlPlane;
  close(): Promise<void>;
}

interface PersistedState {
  version: 1;
  workspaces: WorkspaceData[];
}

/** Read before authenticating (the Python SDK fetches it first to resolve the host's configuration). */
const isPublicPath = (url: string) => url.split("?")[0] === "/.well-known/databricks-config";

const allAreas = (): WorkspaceArea<unknown>[] => [tokensArea as WorkspaceArea<unknown>, ...workspaceAreas];

/** A stable numeric org id derived from the host, when the seed gives none. */
const orgIdFor = (host: string) => String(BigInt(`0x${createHash("sha256").update(host).digest("hex").slice(0, 13)}`));

/**
 * Starts one HTTP listener per seeded workspace. Each behaves like that workspace's REST API:
 * same paths, payloads and errors. State is restored from `stateDir` when present, so a
 * restarted sandbox continues where it stopped; the seed only fills workspaces it has not seen.
 */
export async function startDatabricksSandbox(options: DatabricksSandboxOptions): Promise<DatabricksSandbox> {
  const seed = databricksSeedSchema.parse(options.seed ?? {});
  const clock = options.clock ?? new ScaledClock(1);
  const control = new ControlPlane("databricks", clock);
  control.faultBody = (status) =>
    status === 429
      ? { error_code: "REQUEST_LIMIT_EXCEEDED", message: "Too many requests. Please wait a moment and try again." }
      : { error_code: status === 503 ? "TEMPORARILY_UNAVAILABLE" : "INTERNAL_ERROR", message: "The service is temporarily unavailable." };

  const file = new JsonFile<PersistedState>(options.stateDir ? path.join(options.stateDir, "databricks.json") : undefined);
  const saved = file.load();
  const data: WorkspaceData[] = saved?.workspaces ?? [];
  const save = () => file.save({ version: 1, workspaces: data });

  const areas = allAreas();
  const runtimes: WorkspaceRuntime[] = [];
  const secrets = new SecretLedger("databricks", options.stateDir);
  secrets.add(...seed.workspaces.flatMap((w) => w.users.flatMap((u) => u.tokens.map((t) => t.value))));
  for (const wsSeed of seed.workspaces) {
    let wsData = data.find((w) => w.host === wsSeed.host);
    if (!wsData) {
      wsData = { host: wsSeed.host, orgId: wsSeed.orgId ?? orgIdFor(wsSeed.host), users: [], areas: {}, idCounter: 1000 };
      wsData.users = wsSeed.users.map((u) => ({ userName: u.userName, admin: u.admin }));
      data.push(wsData);
    }
    wsData.conf ??= wsSeed.maxTokenLifetimeDays !== undefined ? { maxTokenLifetimeDays: String(wsSeed.maxTokenLifetimeDays) } : {};
    wsData.invalidTokenForm = wsSeed.invalidTokenForm ?? "json";
    wsData.clustersUpdate = wsSeed.clustersUpdate ?? true;
    const runtime = new WorkspaceRuntime(wsData, clock, save, secrets);
    for (const area of areas) {
      if (wsData.areas[area.name] === undefined) wsData.areas[area.name] = area.init(wsSeed as WorkspaceSeed, runtime);
    }
    runtimes.push(runtime);
  }
  save();

  const apps = runtimes.map((runtime) => buildWorkspaceApp(runtime, areas, control));
  const urls = await listenAll(apps, options.listenHost, runtimes.map((r) => options.preferredPorts?.[r.host]));
  const workspaces: RunningWorkspace[] = runtimes.map((runtime, i) => ({ host: runtime.host, url: urls[i]!, runtime }));

  return {
    endpoints: Object.fromEntries(workspaces.map((w) => [w.host, w.url])),
    workspaces,
    control,
    close: async () => {
      await Promise.all(apps.map((a) => a.close()));
    },
  };
}

function buildWorkspaceApp(ws: WorkspaceRuntime, areas: WorkspaceArea<unknown>[], control: ControlPlane): FastifyInstance {
  // Bodies up to DBFS put's 1 MiB limit, base64-encoded, plus JSON overhead; workspace import
  // allows 10 MB of content.
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
  control.install(app, () => ws.host);
  installSecretsRoute(app, ws.secrets);
  acceptEmptyBodies(app);

  // Databricks accepts an empty body on POST (e.g. `{}` omitted); fastify would 400 on it.
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text.trim() === "") return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new DatabricksApiError(400, "MALFORMED_REQUEST", "Invalid JSON given in the body of the request."), undefined);
    }
  });

  app.addHook("preHandler", async (req: FastifyRequest) => {
    if (req.url.startsWith("/__sandbox") || isPublicPath(req.url)) return;
    const header = req.headers.authorization ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header);
    // No credential at all is the one 401; a credential the workspace does not accept is 403.
    if (!match) throw unauthenticated("Credential was not sent or was of an unsupported type for this API.");
    const token = findToken(ws, match[1]!.trim());
    const user = token && ws.user(token.userName);
    if (!user) throw new InvalidTokenError(ws.data.invalidTokenForm ?? "json", req.url.split("?")[0]!);
    (req as AuthenticatedRequest).sandboxUser = user;
  });

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof InvalidTokenError) return reply.code(err.status).headers(err.headers).type(err.contentType).send(err.body());
    if (err instanceof DatabricksApiError) return reply.code(err.status).send(err.toBody());
    const status = (err as { statusCode?: number }).statusCode;
    const message = err instanceof Error ? err.message : String(err);
    if (status && status < 500) return reply.code(status).send({ error_code: "BAD_REQUEST", message });
    return reply.code(500).send({ error_code: "INTERNAL_ERROR", message });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error_code: "ENDPOINT_NOT_FOUND", message: `No API found for '${req.method} ${req.url.split("?")[0]}'` });
  });

  for (const area of areas) area.routes(app, ws);
  return app;
}
