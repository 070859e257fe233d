import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import { ServiceError, type ServiceName } from "./errors";
import { log } from "./log";
import { registerSecret } from "./redact";
import { settings } from "./settings";
import { sleep } from "./timing";

/**
 * How a service words its errors: pulls the code and the human message out of a body, and may
 * add a hint that tells the person running `pulumi up` how to fix it.
 */
export type ErrorBodyReader = (body: unknown, status: number, headers?: Record<string, string>) => { code?: string; detail?: string; hint?: string };

/**
 * An error body in the form service readers expect, whatever form it came in: an HTML error
 * page (older Databricks front ends answer a bad token with Jetty's "Error 403 Invalid access
 * token." page) becomes `{message}` from its `<pre>` or `<title>`, as the official SDKs read it;
 * a numeric `error_code` (`{"error_code": 403, ...}`, what workspaces send for an invalid token)
 * becomes its string; a body without a message takes the `X-Databricks-Reason-Phrase` header.
 */
export function normalizeErrorBody(body: unknown, headers: Record<string, string>): unknown {
  const reason = headers["x-databricks-reason-phrase"];
  if (typeof body === "string") {
    const html = /<\s*(html|head|body|title|pre)\b/i.test(body);
    if (!html) return reason && body.trim() === "" ? { message: reason } : body;
    const pick = (tag: string) =>
      new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`, "i")
        .exec(body)?.[1]
        ?.replace(/<[^>]+>/g, "")
        .trim();
    const message = pick("pre") || pick("title")?.replace(/^Error \d{3}\s*/, "") || reason;
    return message ? { message } : { message: "an HTML error page without a message" };
  }
  if (body && typeof body === "object" && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const out: Record<string, unknown> = { ...b };
    if (typeof b.error_code === "number") out.error_code = String(b.error_code);
    if (out.message === undefined && out.error === undefined && reason) out.message = reason;
    return out;
  }
  return reason ? { message: reason } : body;
}

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** First backoff step; doubles each retry. */
  baseDelayMs: number;
  /** Ceiling of one backoff step (not of a server's Retry-After). */
  maxDelayMs: number;
  /** Total time a call may spend waiting between attempts before it gives up. */
  budgetMs: number;
}

export interface HttpClientOptions {
  service: ServiceName;
  baseUrl: string;
  /** Headers that authenticate every call; their values are registered for redaction. */
  authHeaders?: () => Record<string, string>;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  readError: ErrorBodyReader;
}

export interface RequestOptions {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Extra headers for this call (their values are not assumed secret). */
  headers?: Record<string, string>;
  /**
   * Whether repeating the call is harmless. GET/PUT/DELETE/HEAD are; a POST is only when the
   * caller says so. A call that is not idempotent is retried only where the service cannot
   * have acted on it (429, 503, connection refused), so a retry never creates a duplicate.
   */
  idempotent?: boolean;
  /** Statuses that are an answer, not a failure (e.g. 404 on a read that tolerates absence). */
  acceptStatuses?: number[];
  /** Name of the call in error messages; defaults to `METHOD path`. */
  operation?: string;
}

export interface HttpResult<T> {
  status: number;
  data: T;
  headers: Record<string, string>;
}

/** The policy the settings give (defaults follow the official Databricks SDKs; see `settings.ts`). */
export function defaultRetryPolicy(): RetryPolicy {
  return { ...settings().retry };
}

/** How long one request may take; `PULUMI_DATABRICKS_INTEGRATIONS_TIMEOUT_MS` overrides the 60 s. */
export const defaultTimeoutMs = () => settings().timeoutMs;

/*
 * How a failed call is classified. The HTTP layer retries by these sets; core/recovery's "may
 * this call have acted" reads the status sets from here, so the two change together.
 */
/** Statuses that mean "try again later" for any call: the service did not act on the request. */
const ALWAYS_RETRYABLE = new Set([429, 503]);
/** Gateway statuses: the service's own answer never arrived, so it may have acted, or still be acting. */
export const ANSWER_LOST_STATUSES: ReadonlySet<number> = new Set([502, 504]);
/** Statuses after which the service may have acted (it failed while on it, or its answer was lost): retried only when repeating the call is harmless. */
export const RETRYABLE_IF_IDEMPOTENT: ReadonlySet<number> = new Set([500, ...ANSWER_LOST_STATUSES]);
/** Transport failures after which the request may or may not have reached the service. */
const AMBIGUOUS_TRANSPORT = new Set(["ECONNRESET", "ECONNABORTED", "ETIMEDOUT", "EPIPE", "ERR_BAD_RESPONSE", "EAI_AGAIN"]);
/** Transport failures where the request certainly never reached the service. */
const UNSENT_TRANSPORT = new Set(["ECONNREFUSED"]);

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Capped exponential backoff with jitter (50–100 % of the step), so clients spread out. */
export function backoffMs(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(step * (0.5 + random() / 2));
}

/**
 * The one HTTP layer of the package: every service client is built on it. It adds auth,
 * timeouts, retries with backoff that honour `Retry-After`, maps error bodies to
 * `ServiceError`s that name the service and the call, and keeps credentials out of logs and
 * errors (axios errors, which carry request headers, never escape).
 */
export class HttpClient {
  private readonly axios: AxiosInstance;
  private readonly policy: RetryPolicy;

  constructor(private readonly options: HttpClientOptions) {
    this.policy = { ...defaultRetryPolicy(), ...options.retry };
    this.axios = axios.create({
      baseURL: options.baseUrl,
      timeout: options.timeoutMs ?? defaultTimeoutMs(),
      validateStatus: () => true,
      // Redirects could carry the Authorization header to another host.
      maxRedirects: 0,
      headers: { "User-Agent": "pulumi-databricks-integrations", Accept: "application/json" },
    });
  }

  /**
   * A read of one object: its data, or undefined when the service says it is not there (`absent`
   * decides; by default a 404). Every "get, or nothing when gone" call goes through here.
   */
  async find<T>(req: RequestOptions, absent: (err: ServiceError) => boolean = (err) => err.isNotFound): Promise<T | undefined> {
    try {
      return (await this.request<T>(req)).data;
    } catch (err) {
      if (err instanceof ServiceError && absent(err)) return undefined;
      throw err;
    }
  }

  async request<T = unknown>(req: RequestOptions): Promise<HttpResult<T>> {
    const operation = req.operation ?? `${req.method} ${req.path}`;
    const idempotent = req.idempotent ?? req.method !== "POST";
    const auth = this.options.authHeaders?.() ?? {};
    Object.values(auth).forEach((v) => registerSecret(v.replace(/^\S+\s+/, "")));
    const started = Date.now();
    let waited = 0;

    for (let attempt = 1; ; attempt++) {
      let response: AxiosResponse | undefined;
      let transportCode: string | undefined;
      try {
        response = await this.axios.request({
          method: req.method,
          url: req.path,
          params: req.query,
          data: req.body,
          // No body, no Content-Type (axios would otherwise claim a form on body-less POSTs).
          headers: { "Content-Type": req.body !== undefined ? "application/json" : false, ...auth, ...req.headers },
        });
      } catch (err) {
        transportCode = (err as { code?: string }).code ?? "ECONNRESET";
      }

      const status = response?.status;
      log(`${this.options.service} ${req.method} ${req.path}`, { attempt, status, transport: transportCode, ms: Date.now() - started });

      if (response && (status! < 400 || req.acceptStatuses?.includes(status!))) {
        return { status: status!, data: response.data as T, headers: flattenHeaders(response.headers) };
      }

      const retryable =
        (status !== undefined && (ALWAYS_RETRYABLE.has(status) || (idempotent && RETRYABLE_IF_IDEMPOTENT.has(status)))) ||
        (transportCode !== undefined && (UNSENT_TRANSPORT.has(transportCode) || (idempotent && AMBIGUOUS_TRANSPORT.has(transportCode))));

      const serverWait = retryAfterMs(response?.headers?.["retry-after"] as string | undefined);
      const delay = serverWait ?? backoffMs(attempt, this.policy);
      const outOfBudget = attempt >= this.policy.maxAttempts || waited + delay > this.policy.budgetMs;
      if (!retryable || outOfBudget) {
        throw this.toError(operation, response, transportCode, attempt, retryable);
      }
      waited += delay;
      await sleep(delay);
    }
  }

  private toError(
    operation: string,
    response: AxiosResponse | undefined,
    transportCode: string | undefined,
    attempts: number,
    retryable: boolean,
  ): ServiceError {
    if (!response) {
      const detail =
        transportCode === "ECONNABORTED" || transportCode === "ETIMEDOUT"
          ? `no answer within ${Math.round((this.axios.defaults.timeout ?? 0) / 1000)} s (timeout)`
          : transportCode === "ECONNREFUSED"
            ? `connection refused by ${this.options.baseUrl}`
            : `connection failed (${transportCode})`;
      return new ServiceError({ service: this.options.service, operation, detail, retryable, attempts });
    }
    const headers = flattenHeaders(response.headers);
    const body = normalizeErrorBody(response.data, headers);
    const { code, detail, hint } = this.options.readError(body, response.status, headers);
    const said = detail ?? (typeof body === "string" && body ? body.slice(0, 300) : response.statusText || "no details");
    return new ServiceError({
      service: this.options.service,
      operation,
      status: response.status,
      code,
      detail: said,
      hint,
      retryable,
      attempts,
    });
  }
}

function flattenHeaders(headers: AxiosResponse["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined && v !== null) out[k.toLowerCase()] = String(v);
  return out;
}
