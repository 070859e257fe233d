import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ScaledClock } from "../../sandbox/common/clock";
import { startDatabricksSandbox, type DatabricksSandbox } from "../../sandbox/databricks";
import type { DatabricksSeed } from "../../sandbox/databricks/seed";

export const AWS_HOST = "dbc-1a2b3c4d-5e6f.cloud.databricks.com";
export const AZURE_HOST = "adb-1234567890123456.7.azuredatabricks.net";
/** Seed token values: deliberately not shaped like real tokens. */
export const ADMIN_TOKEN = "sandbox-admin-token-aws";
export const ALICE_TOKEN = "sandbox-alice-token-aws";
export const BOB_TOKEN = "sandbox-bob-token-aws";
export const AZURE_ADMIN_TOKEN = "sandbox-admin-token-azure";

/** A small two-workspace seed; tests add what they need through the API, as a person would. */
export function testSeed(): DatabricksSeed {
  return {
    workspaces: [
      {
        host: AWS_HOST,
        orgId: "4242424242424242",
        users: [
          { userName: "admin@example.com", admin: true, tokens: [{ value: ADMIN_TOKEN, comment: "seed" }] },
          { userName: "alice@example.com", admin: false, tokens: [{ value: ALICE_TOKEN, comment: "seed" }] },
          { userName: "bob@example.com", admin: false, tokens: [{ value: BOB_TOKEN, comment: "seed" }] },
        ],
        clusters: [
          {
            cluster_id: "0101-000000-aaaaaaaa",
            cluster_name: "shared-running",
            spark_version: "15.4.x-scala2.12",
            node_type_id: "i3.xlarge",
            num_workers: 2,
            state: "RUNNING",
            owner: "alice@example.com",
            acl: [{ user_name: "bob@example.com", permission_level: "CAN_ATTACH_TO" }],
          },
          {
            cluster_id: "0101-000000-bbbbbbbb",
            cluster_name: "shared-terminated",
            spark_version: "15.4.x-scala2.12",
            node_type_id: "i3.xlarge",
            num_workers: 1,
            state: "TERMINATED",
            owner: "alice@example.com",
            acl: [],
          },
        ],
        warehouses: [{ id: "abcdef0123456789", name: "Starter Warehouse", state: "RUNNING" }],
        catalogs: [{ name: "main", schemas: ["default", "sales"] }],
      },
      {
        host: AZURE_HOST,
        users: [{ userName: "admin@example.com", admin: true, tokens: [{ value: AZURE_ADMIN_TOKEN, comment: "seed" }] }],
        clusters: [],
        warehouses: [],
        catalogs: [],
      },
    ],
  };
}

export interface SandboxHarness {
  sandbox: DatabricksSandbox;
  stateDir: string;
  /** Local base URL of a workspace by real host name. */
  url(host?: string): string;
  /** Calls the workspace's REST API as a client would. */
  call(method: string, apiPath: string, options?: { token?: string; body?: unknown; host?: string }): Promise<ApiResult>;
  close(): Promise<void>;
}

export interface ApiResult {
  status: number;
  headers: Headers;
  body: any;
}

/** Starts a sandbox on fresh state; `timeScale` shrinks real durations (1 = real time). */
export async function startTestSandbox(options: { timeScale?: number; stateDir?: string; seed?: DatabricksSeed } = {}): Promise<SandboxHarness> {
  const stateDir = options.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "pdi-dbx-"));
  const sandbox = await startDatabricksSandbox({
    seed: options.seed ?? testSeed(),
    stateDir,
    clock: new ScaledClock(options.timeScale ?? 0.001),
  });
  const url = (host = AWS_HOST) => {
    const u = sandbox.endpoints[host];
    if (!u) throw new Error(`no sandbox workspace for ${host}`);
    return u;
  };
  return {
    sandbox,
    stateDir,
    url,
    async call(method, apiPath, { token = ADMIN_TOKEN, body, host } = {}) {
      const res = await fetch(`${url(host)}${apiPath}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : {};
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    close: () => sandbox.close(),
  };
}

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 10000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Stops the sandbox's clock so a test can step through intermediate states without racing real
 * time. `advanceReal(ms)` moves it on by a real-world duration, scaled like the sandbox's own.
 */
export function freezeSandboxClock(h: SandboxHarness): { advanceReal(realMs: number): void; now(): number } {
  const clock = h.sandbox.control.clock;
  let frozenAt = clock.now();
  clock.now = () => frozenAt;
  return {
    advanceReal: (realMs) => {
      frozenAt += clock.duration(realMs);
    },
    now: () => frozenAt,
  };
}

/** A fetch response as an ApiResult: JSON parsed when it is JSON, else the text. */
export async function toApiResult(res: Response): Promise<ApiResult> {
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Calls a sandbox service's `/__sandbox/...` control route. */
export async function controlCall(baseUrl: string, method: string, controlPath: string, body?: unknown): Promise<ApiResult> {
  const res = await fetch(`${baseUrl}/__sandbox${controlPath}`, {
    method,
    headers: body !== undefined ? { "content-type": "application/json" } : {},
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  return toApiResult(res);
}
