/**
 * The Databricks REST calls the Hopsworks sandbox makes, sent over HTTP to the running Databricks
 * sandbox (so they show in its request log, and its faults and permission checks apply), with the
 * requesting user's stored PAT, under `/api/2.0` like the real DatabricksClient. The real client
 * makes one attempt per call (it runs `performAction()`, not the retrying `tryAction()`), and turns
 * every non-2xx answer or I/O failure into 500 DATABRICKS_ERROR.
 */
import { databricksError } from "./errors";

/** A Databricks workspace the integration may reach. */
export interface DatabricksWorkspaceTarget {
  /** Real host name, e.g. `dbc-1a2b3c4d-5e6f.cloud.databricks.com`. */
  host: string;
  /** Local base URL of the Databricks sandbox serving it. */
  url: string;
}

/** Host name -> workspace: the sandbox's stand-in for DNS. */
export class DatabricksWorkspaces {
  constructor(private readonly targets: DatabricksWorkspaceTarget[]) {}

  resolve(host: string): DatabricksWorkspaceTarget | undefined {
    const wanted = host.trim().toLowerCase();
    return this.targets.find((t) => t.host.toLowerCase() === wanted);
  }

  client(instance: string, token: string): DatabricksClient {
    return new DatabricksClient(instance, this.resolve(instance), token);
  }
}

export interface DatabricksReply {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

/** One exchange: a hung workspace must not hang the Hopsworks route. */
// PDI_SANDBOX_DOWNSTREAM_TIMEOUT_MS shortens it, so fault tests can make a workspace answer
// slower than the service's own timeout without waiting the real one out.
const requestTimeoutMs = () => Number(process.env.PDI_SANDBOX_DOWNSTREAM_TIMEOUT_MS) || 30_000;

export class DatabricksClient {
  constructor(
    readonly instance: string,
    private readonly target: DatabricksWorkspaceTarget | undefined,
    private readonly token: string,
  ) {}

  /** Any answer at all; only "no answer" (unknown host, refused, timed out) is thrown, as 270125. */
  async exchange(method: "GET" | "POST", apiPath: string, body?: unknown): Promise<DatabricksReply> {
    const where = `${method} https://${this.instance}/api/2.0${apiPath}`;
    // The Java client's UnknownHostException message.
    if (!this.target) throw databricksError(`${this.instance}: Name or service not known`, `${where}: unknown host`);
    let res: Response;
    try {
      res = await fetch(`${this.target.url}/api/2.0${apiPath}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(requestTimeoutMs()),
      });
    } catch (err) {
      // No instanceof: the DOMException may come from another realm (tests run the sandbox in a VM context).
      const timedOut = (err as { name?: unknown } | null)?.name === "TimeoutError";
      const reason = timedOut ? "Read timed out" : `Connect to ${this.instance}:443 failed: Connection refused`;
      throw databricksError(reason, `${where}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const text = await res.text().catch(() => "");
    let parsed: Record<string, unknown> = {};
    try {
      const value = text ? (JSON.parse(text) as unknown) : {};
      if (value && typeof value === "object" && !Array.isArray(value)) parsed = value as Record<string, unknown>;
    } catch {
      /* not JSON: the status decides */
    }
    return { status: res.status, body: parsed, text };
  }

  /** A 2xx answer's body, or 500 DATABRICKS_ERROR carrying Databricks' own message. */
  async call(method: "GET" | "POST", apiPath: string, body?: unknown): Promise<Record<string, unknown>> {
    const reply = await this.exchange(method, apiPath, body);
    if (reply.status >= 200 && reply.status < 300) return reply.body;
    throw failed(method, this.instance, apiPath, reply);
  }

  get = (apiPath: string) => this.call("GET", apiPath);
  post = (apiPath: string, body: unknown) => this.call("POST", apiPath, body);
}

/** 270125 for a non-2xx answer: Databricks' raw response body as `usrMsg`, the exchange as `devMsg`. */
export function failed(method: string, instance: string, apiPath: string, reply: DatabricksReply) {
  const raw = reply.text !== "" ? reply.text : `HTTP ${reply.status}`;
  return databricksError(raw, `${method} https://${instance}/api/2.0${apiPath} answered HTTP ${reply.status}`);
}
