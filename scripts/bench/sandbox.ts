/**
 * The benchmark's sandbox: the background daemon (a process of its own, so the services do not
 * share a core's event loop with the engine driver), started on a fresh home from
 * `sandbox/seed.json` with the bench's time scale, and driven through the `/__sandbox` control
 * routes of each service: request logs, added latency, rate limits.
 */
import * as fs from "fs";
import * as path from "path";
import { Home, SERVICES, type SandboxRecord, type ServiceName } from "../../sandbox/cli/home";
import { startDaemon, stopDaemon } from "../../sandbox/cli/lifecycle";
import type { LoggedRequest } from "../../sandbox/common/control";
import type { LatencySettings } from "../../sandbox/common/latency";
import type { SandboxConfig } from "../../sandbox";
import { readSeed } from "../lib/platform-config";
import { REPO_ROOT } from "../lib/repo-root";

export type Service = ServiceName;
export { SERVICES };

/** Requests per service (Databricks includes what Hopsworks and Qualytics call on our behalf). */
export type Counts = Record<Service, number> & { total: number; throttled: number; failed: number };

export class BenchSandbox {
  private constructor(
    readonly home: Home,
    readonly record: SandboxRecord,
    readonly seed: SandboxConfig,
  ) {}

  /** Starts the daemon on `dir` (which must be fresh) with the seed and the time scale given. */
  static async start(dir: string, timeScale: number): Promise<BenchSandbox> {
    const seed = readSeed(REPO_ROOT);
    fs.mkdirSync(dir, { recursive: true });
    const configFile = path.join(dir, "seed.json");
    fs.writeFileSync(configFile, JSON.stringify({ ...seed, timeScale }, null, 2));
    const home = new Home(dir);
    const { record } = await startDaemon(home, configFile);
    return new BenchSandbox(home, record, seed);
  }

  stop(): Promise<unknown> {
    return stopDaemon(this.home);
  }

  /** Every local base URL of a service (one per workspace or deployment). */
  urls(service: Service): string[] {
    return Object.values(this.record.services[service] ?? {});
  }

  url(host: string): string {
    const url = this.record.endpoints[host];
    if (!url) throw new Error(`the sandbox serves no ${host}`);
    return url;
  }

  /** A control call on one service's first port (the control plane is shared by its ports). */
  async control(service: Service, method: string, route: string, body?: unknown): Promise<any> {
    const res = await fetch(`${this.urls(service)[0]}/__sandbox${route}`, {
      method,
      headers: body !== undefined ? { "content-type": "application/json" } : {},
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox ${service} ${method} /__sandbox${route}: HTTP ${res.status} ${text}`);
    return text ? JSON.parse(text) : {};
  }

  async clearRequests(): Promise<void> {
    await Promise.all(SERVICES.map((s) => this.control(s, "DELETE", "/requests")));
  }

  async requests(): Promise<LoggedRequest[]> {
    const logs = await Promise.all(SERVICES.map((s) => this.control(s, "GET", "/requests")));
    return logs.flatMap((l) => l.requests as LoggedRequest[]);
  }

  async counts(): Promise<{ counts: Counts; log: LoggedRequest[] }> {
    const log = await this.requests();
    return { counts: countRequests(log), log };
  }

  async setLatency(service: Service, settings: LatencySettings): Promise<void> {
    await this.control(service, "POST", "/latency", settings);
  }

  async setRateLimit(service: Service, rps: number | null, burst?: number): Promise<void> {
    await this.control(service, "POST", "/rate-limit", burst === undefined ? { rps } : { rps, burst });
  }

  /** Calls a Databricks workspace's REST API with a seed token. */
  async databricks(host: string, token: string, method: string, apiPath: string, body?: unknown): Promise<any> {
    const res = await fetch(`${this.url(host)}${apiPath}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`Databricks ${method} ${apiPath}: HTTP ${res.status} ${text}`);
    return text ? JSON.parse(text) : {};
  }
}

export function countRequests(log: LoggedRequest[]): Counts {
  const counts: Counts = { databricks: 0, hopsworks: 0, qualytics: 0, total: 0, throttled: 0, failed: 0 };
  for (const r of log) {
    counts[r.service as Service] += 1;
    counts.total += 1;
    if (r.status === 429) counts.throttled += 1;
    else if ((r.status ?? 0) >= 500) counts.failed += 1;
  }
  return counts;
}
