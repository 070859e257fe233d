import { createHash } from "crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { answer } from "../common/answer";
import { startService, type ServiceHandle, type ServiceOptions, type ServiceSpec } from "../common/service";
import { DatabricksApiError, InvalidTokenError, unauthenticated } from "./errors";
import { databricksSeedSchema, type DatabricksSeed, type WorkspaceSeed } from "./seed";
import { findToken, tokensArea } from "./tokens";
import { WorkspaceRuntime, type WorkspaceArea, type WorkspaceData } from "./workspace";
import { workspaceAreas } from "./areas";

export interface DatabricksSandboxOptions extends ServiceOptions {
  seed: DatabricksSeed | unknown;
  /** Folder for `databricks.json`; omitted: state lives in memory only. */
  stateDir?: string;
}

export interface RunningWorkspace {
  host: string;
  /** Local base URL (`http://127.0.0.1:<port>`) serving this workspace's `/api/...`. */
  url: string;
  runtime: WorkspaceRuntime;
}

export interface DatabricksSandbox extends ServiceHandle {
  workspaces: RunningWorkspace[];
}

/** Read before authenticating (the Python SDK fetches it first to resolve the host's configuration). */
const isPublicPath = (url: string) => url.split("?")[0] === "/.well-known/databricks-config";

/** Tokens first: every other area authenticates through them. */
const allAreas: WorkspaceArea<unknown>[] = [tokensArea as WorkspaceArea<unknown>, ...workspaceAreas];

/** A stable numeric org id derived from the host, when the seed gives none. */
const orgIdFor = (host: string) => String(BigInt(`0x${createHash("sha256").update(host).digest("hex").slice(0, 13)}`));

/** No credential at all is the one 401; a credential the workspace does not accept is 403. */
function installTokenAuth(app: FastifyInstance, ws: WorkspaceRuntime): void {
  app.addHook("preHandler", async (req: FastifyRequest) => {
    if (req.url.startsWith("/__sandbox") || isPublicPath(req.url)) return;
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
    if (!match) throw unauthenticated("Credential was not sent or was of an unsupported type for this API.");
    const token = findToken(ws, match[1]!.trim());
    const user = token && ws.user(token.userName);
    if (!user) throw new InvalidTokenError(ws.data.invalidTokenForm ?? "json", req.url.split("?")[0]!);
    ws.authenticate(req, user);
  });
}

const databricksService = (seed: DatabricksSeed): ServiceSpec<WorkspaceSeed, WorkspaceData, WorkspaceRuntime> => ({
  name: "databricks",
  stateKey: "workspaces",
  seeds: seed.workspaces,
  seededSecrets: seed.workspaces.flatMap((w) => w.users.flatMap((u) => u.tokens.map((t) => t.value))),
  faultBody: (status) =>
    status === 429
      ? { error_code: "REQUEST_LIMIT_EXCEEDED", message: "Too many requests. Please wait a moment and try again." }
      : { error_code: status === 503 ? "TEMPORARILY_UNAVAILABLE" : "INTERNAL_ERROR", message: "The service is temporarily unavailable." },
  create: (wsSeed) => ({
    host: wsSeed.host,
    orgId: wsSeed.orgId ?? orgIdFor(wsSeed.host),
    users: wsSeed.users.map((u) => ({ userName: u.userName, admin: u.admin })),
    areas: {},
    idCounter: 1000,
  }),
  instance: (wsData, wsSeed, context) => {
    // Settings re-read from the seed at every start; conf only when state predates it.
    wsData.conf ??= wsSeed.maxTokenLifetimeDays !== undefined ? { maxTokenLifetimeDays: String(wsSeed.maxTokenLifetimeDays) } : {};
    wsData.invalidTokenForm = wsSeed.invalidTokenForm ?? "json";
    wsData.clustersUpdate = wsSeed.clustersUpdate ?? true;
    const runtime = new WorkspaceRuntime(wsData, context);
    // An area added since the state was written starts from the seed.
    for (const area of allAreas) {
      if (wsData.areas[area.name] === undefined) wsData.areas[area.name] = area.init(wsSeed, runtime);
    }
    return runtime;
  },
  app: {
    // Bodies up to DBFS put's 1 MiB limit, base64-encoded, plus JSON overhead; workspace import
    // allows 10 MB of content.
    bodyLimit: 16 * 1024 * 1024,
    // Databricks accepts an empty body on POST (e.g. `{}` omitted); fastify would 400 on it.
    emptyJson: {},
    malformedJson: () => new DatabricksApiError(400, "MALFORMED_REQUEST", "Invalid JSON given in the body of the request."),
    prepare: installTokenAuth,
    errorAnswer: (err) => {
      if (err instanceof InvalidTokenError) return answer(err.status, err.body(), err.headers, err.contentType);
      if (err instanceof DatabricksApiError) return answer(err.status, err.toBody());
      return undefined;
    },
    refusal: (status, message) => answer(status, { error_code: "BAD_REQUEST", message }),
    internalError: (message) => answer(500, { error_code: "INTERNAL_ERROR", message }),
    notFound: (req) => answer(404, { error_code: "ENDPOINT_NOT_FOUND", message: `No API found for '${req.method} ${req.url.split("?")[0]}'` }),
    routes: allAreas.map((area) => (app, ws) => area.routes(app, ws)),
  },
});

/**
 * Starts one HTTP listener per seeded workspace. Each behaves like that workspace's REST API:
 * same paths, payloads and errors. State is restored from `stateDir` when present, so a
 * restarted sandbox continues where it stopped; the seed only fills workspaces it has not seen.
 */
export async function startDatabricksSandbox(options: DatabricksSandboxOptions): Promise<DatabricksSandbox> {
  const service = await startService(databricksService(databricksSeedSchema.parse(options.seed ?? {})), options);
  return {
    endpoints: service.endpoints,
    workspaces: service.running.map(({ host, url, instance }) => ({ host, url, runtime: instance })),
    control: service.control,
    close: service.close,
  };
}
