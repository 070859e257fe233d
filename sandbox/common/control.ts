import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { ScaledClock } from "./clock";
import { Latency, latencySchema } from "./latency";
import { RATE_LIMIT_USAGE, TokenBucketLimiter, rateLimitBody } from "./rate-limit";

/** Every control route lives under this prefix; no real service path starts with it. */
export const CONTROL_PREFIX = "/__sandbox";

export const faultSchema = z.object({
  /** `METHOD /path` (no query string; a `*` segment matches any one segment, e.g. an id), or `*` for every route of the service. */
  route: z.string().min(1),
  /**
   * `delay` holds the request before the service sees it (a client that gives up first leaves
   * nothing done); `slow-answer` lets the service act and holds only the answer (a client that
   * gives up first never learns that it worked).
   */
  kind: z.enum(["status", "delay", "slow-answer", "reset"]),
  /** HTTP status to answer with when kind is `status` (429, 500, 503, ...). */
  status: z.number().int().min(400).max(599).optional(),
  /** Seconds to put in a `Retry-After` header (status faults only). */
  retryAfterSeconds: z.number().int().min(0).optional(),
  /** Milliseconds to hold the request (kind `delay`) or its answer (kind `slow-answer`). */
  delayMs: z.number().int().min(0).optional(),
  /** How many matching requests this fault affects; then it is spent. */
  count: z.number().int().min(1).default(1),
});
export type Fault = z.infer<typeof faultSchema>;

export interface LoggedRequest {
  seq: number;
  time: string;
  service: string;
  /** The host this request was addressed to (the real host name, for multi-host services). */
  host: string;
  method: string;
  path: string;
  status?: number;
  fault?: string;
}

/**
 * Fault injection, request log and time scale shared by one sandbox service. Tests and the
 * sandbox CLI reach it through `${CONTROL_PREFIX}/...` routes on the service's own port.
 */
export class ControlPlane {
  private faults: Fault[] = [];
  private log: LoggedRequest[] = [];
  private seq = 0;
  /** The service's one rate limit (`/__sandbox/rate-limit`), one bucket per host; off unless the service starts it. */
  readonly rateLimiter = new TokenBucketLimiter(null);
  /** Added latency (`/__sandbox/latency`); none by default. */
  readonly latency = new Latency();

  constructor(
    readonly service: string,
    readonly clock: ScaledClock,
    private readonly maxLog = 20000,
  ) {}

  addFault(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Takes one use of the first fault that matches this request, if any. */
  takeFault(method: string, path: string): Fault | undefined {
    const key = `${method.toUpperCase()} ${path}`;
    const index = this.faults.findIndex((f) => f.route === "*" || f.route === key || routePattern(f.route).test(key));
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.count -= 1;
    if (fault.count <= 0) this.faults.splice(index, 1);
    return fault;
  }

  record(entry: Omit<LoggedRequest, "seq" | "time" | "service">): LoggedRequest {
    const logged: LoggedRequest = {
      seq: ++this.seq,
      time: new Date().toISOString(),
      service: this.service,
      ...entry,
    };
    this.log.push(logged);
    if (this.log.length > this.maxLog) this.log.splice(0, this.log.length - this.maxLog);
    return logged;
  }

  requests(sinceSeq = 0): LoggedRequest[] {
    return this.log.filter((r) => r.seq > sinceSeq);
  }

  clearRequests(): void {
    this.log = [];
  }

  /**
   * Installs the request log, the fault hook and the control routes on a service's app.
   * `hostOf` names the real host a request was addressed to (for the log).
   */
  install(app: FastifyInstance, hostOf: (req: FastifyRequest) => string): void {
    app.addHook("onRequest", async (req: FastifyRequest, reply: FastifyReply) => {
      const path = req.url.split("?")[0]!;
      if (path.startsWith(CONTROL_PREFIX)) return;
      const entry = this.record({ host: hostOf(req), method: req.method, path });
      (req as RequestWithLog).sandboxLog = entry;
      const fault = this.takeFault(req.method, path);
      if (!fault) return;
      entry.fault = fault.kind === "status" ? String(fault.status ?? 500) : fault.kind;
      if (fault.kind === "reset") {
        req.raw.socket.destroy();
        return reply.hijack();
      }
      if (fault.kind === "delay") {
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1000));
        return;
      }
      if (fault.kind === "slow-answer") {
        (req as RequestWithLog).sandboxAnswerDelayMs = fault.delayMs ?? 1000;
        return;
      }
      const status = fault.status ?? 500;
      if (fault.retryAfterSeconds !== undefined) reply.header("Retry-After", String(fault.retryAfterSeconds));
      return reply.code(status).send(this.faultBody(status));
    });
    // After the log and faults: the rate limit in front of the API, then the added latency.
    app.addHook("onRequest", async (req: FastifyRequest, reply: FastifyReply) => {
      const path = req.url.split("?")[0]!;
      if (path.startsWith(CONTROL_PREFIX)) return;
      const verdict = this.rateLimiter.take(hostOf(req));
      if (!verdict.allowed) {
        return reply
          .code(429)
          .header("Retry-After", String(verdict.retryAfterSeconds))
          .send(this.rateLimitBody(this.rateLimiter.limit ?? 0));
      }
      const delayMs = this.latency.delayFor(req.method, path);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    });
    app.addHook("onSend", async (req: FastifyRequest, _reply: FastifyReply, payload: unknown) => {
      const delayMs = (req as RequestWithLog).sandboxAnswerDelayMs;
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return payload;
    });
    app.addHook("onResponse", async (req: FastifyRequest, reply: FastifyReply) => {
      const entry = (req as RequestWithLog).sandboxLog;
      if (entry) entry.status = reply.statusCode;
    });

    app.get(`${CONTROL_PREFIX}/requests`, async (req) => {
      const since = Number((req.query as Record<string, string>).since ?? 0);
      return { requests: this.requests(since) };
    });
    app.delete(`${CONTROL_PREFIX}/requests`, async () => {
      this.clearRequests();
      return {};
    });
    app.post(`${CONTROL_PREFIX}/faults`, async (req, reply) => {
      const parsed = faultSchema.safeParse(req.body);
      if (!parsed.success) return reply.code(400).send({ message: parsed.error.message });
      this.addFault(parsed.data);
      return {};
    });
    app.delete(`${CONTROL_PREFIX}/faults`, async () => {
      this.clearFaults();
      return {};
    });
    app.get(`${CONTROL_PREFIX}/time`, async () => ({ scale: this.clock.scale }));
    app.post(`${CONTROL_PREFIX}/time`, async (req, reply) => {
      const scale = Number((req.body as { scale?: unknown } | undefined)?.scale);
      if (!(scale > 0)) return reply.code(400).send({ message: "scale must be a number > 0" });
      this.clock.scale = scale;
      return { scale };
    });
    app.get(`${CONTROL_PREFIX}/rate-limit`, async () => this.rateLimiter.settings());
    app.post(`${CONTROL_PREFIX}/rate-limit`, async (req, reply) => {
      const parsed = rateLimitBody.safeParse(req.body ?? {});
      if (!parsed.success) return reply.code(400).send({ message: RATE_LIMIT_USAGE });
      this.rateLimiter.configure(parsed.data.requestsPerSecond ?? parsed.data.rps ?? null, parsed.data.burst);
      return this.rateLimiter.settings();
    });
    app.get(`${CONTROL_PREFIX}/latency`, async () => this.latency.settings());
    app.post(`${CONTROL_PREFIX}/latency`, async (req, reply) => {
      const parsed = latencySchema.safeParse(req.body ?? {});
      if (!parsed.success) return reply.code(400).send({ message: parsed.error.issues[0]?.message ?? "invalid latency settings" });
      this.latency.configure(parsed.data);
      return this.latency.settings();
    });
    app.delete(`${CONTROL_PREFIX}/latency`, async () => {
      this.latency.clear();
      return this.latency.settings();
    });
  }

  /** The 429 body when the rate limit refuses a request; the service's own 429 fault body unless set. */
  rateLimitBody: (requestsPerSecond: number) => unknown = () => this.faultBody(429);

  /** The body a faulted request gets; each service overrides it with its own error shape. */
  faultBody: (status: number) => unknown = (status) => ({ message: `injected fault ${status}` });
}

/** `PUT /api/datastores/*` → a regex where each `*` segment stands for one path segment. */
export function routePattern(route: string): RegExp {
  const escaped = route.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\/\*(?=\/|$)/g, "/[^/]+");
  return new RegExp(`^${escaped}$`);
}

interface RequestWithLog extends FastifyRequest {
  sandboxLog?: LoggedRequest;
  sandboxAnswerDelayMs?: number;
}
