import { CliError } from "./errors";

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

export interface CallOptions {
  body?: unknown;
  form?: Record<string, string>;
  /** Statuses that are answers, not failures (besides 2xx). */
  accept?: number[];
}

/** The one-line reason out of any of the three services' error bodies. */
function reason(body: unknown): string {
  if (!body || typeof body !== "object") return typeof body === "string" && body !== "" ? body.slice(0, 200) : "";
  const b = body as Record<string, unknown>;
  const detail = Array.isArray(b.detail) ? JSON.stringify(b.detail) : b.detail;
  return [b.error_code, b.message ?? b.usrMsg ?? b.errorMsg ?? detail].filter((x) => x !== undefined && x !== "").join(" ");
}

/**
 * One service at one local URL, called the way any client would: real paths, real credentials.
 * A failed call is a CliError naming the service and the call.
 */
export class ServiceClient {
  constructor(
    readonly service: string,
    readonly baseUrl: string,
    private readonly authorization?: string,
  ) {}

  withAuthorization(authorization: string): ServiceClient {
    return new ServiceClient(this.service, this.baseUrl, authorization);
  }

  async call(method: string, path: string, options: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (this.authorization) headers.authorization = this.authorization;
    let payload: string | undefined;
    if (options.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      payload = new URLSearchParams(options.form).toString();
    } else if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(options.body);
    }
    const what = `${this.service}: ${method} ${path.split("?")[0]}`;
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err instanceof Error ? err.message : String(err));
      throw new CliError(`${what} failed: ${cause} (${this.baseUrl})`);
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    if (!res.ok && !(options.accept ?? []).includes(res.status)) throw new CliError(`${what} failed: ${res.status} ${reason(body)}`.trimEnd());
    return { status: res.status, headers: res.headers, body };
  }

  async get(path: string): Promise<any> {
    return (await this.call("GET", path)).body;
  }

  async post(path: string, body: unknown): Promise<any> {
    return (await this.call("POST", path, { body })).body;
  }
}
