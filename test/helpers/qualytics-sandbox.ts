import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ScaledClock } from "../../sandbox/common/clock";
import {
  DEFAULT_SIGNING_KEY,
  mintQualyticsToken,
  startQualyticsSandbox,
  type Dialect,
  type QualyticsSandbox,
  type QualyticsSeed,
} from "../../sandbox/qualytics";
import { ADMIN_TOKEN, AWS_HOST, startTestSandbox, controlCall, toApiResult, type ApiResult, type SandboxHarness } from "./databricks-sandbox";

export { eventually } from "./databricks-sandbox";

export const QUALYTICS_HOST = "acme.qualytics.io";
/** One deployment per response dialect besides acme's (see sandbox/qualytics/dialect.ts). */
export const DIALECT_HOSTS: Record<Dialect, string> = { cli: QUALYTICS_HOST, guide: "guide.qualytics.io", legacy: "legacy.qualytics.io" };

/** Seed tokens: JWTs signed with the sandbox's default key, valid until 2035 (fixed, so seeds are stable). */
const VALID_UNTIL = Date.UTC(2035, 11, 1) / 1000;
const token = (sub: string, exp = VALID_UNTIL) => mintQualyticsToken(DEFAULT_SIGNING_KEY, { sub, iat: Date.UTC(2026, 0, 1) / 1000, exp });
export const QUALYTICS_ADMIN_TOKEN = token("admin@example.com");
export const QUALYTICS_MANAGER_TOKEN = token("manager@example.com");
export const QUALYTICS_MEMBER_TOKEN = token("member@example.com");
/** The Member's second token, which expired at the start of 2026. */
export const QUALYTICS_EXPIRED_TOKEN = token("member@example.com", Date.UTC(2026, 0, 2) / 1000);

/** The Databricks test seed's resources the connection tests point at. */
export const WAREHOUSE_ID = "abcdef0123456789";
export const WAREHOUSE_PATH = `/sql/1.0/warehouses/${WAREHOUSE_ID}`;
export const CLUSTER_ID = "0101-000000-aaaaaaaa";
export const ORG_ID = "4242424242424242";
export const CLUSTER_PATH = `sql/protocolv1/o/${ORG_ID}/${CLUSTER_ID}`;

/**
 * One deployment (acme, `cli` dialect) with an Admin, a Manager and a Member, and two teams;
 * no datastores. `dialects` adds the same deployment in other dialects on their own hosts
 * (`DIALECT_HOSTS`); `unsavedConnectionTest: false` removes that route from all of them,
 * `withoutUnsavedTest` from those dialects' deployments only; `createWithoutTest` makes those
 * deployments' creates save untested.
 */
export function qualyticsTestSeed(
  options: { dialects?: Dialect[]; unsavedConnectionTest?: boolean; withoutUnsavedTest?: Dialect[]; createWithoutTest?: Dialect[] } = {},
): QualyticsSeed {
  const instance = (host: string, dialect: Dialect) => ({
    host,
    dialect,
    createTestsConnection: !options.createWithoutTest?.includes(dialect),
    unsavedConnectionTest: options.withoutUnsavedTest?.includes(dialect) ? false : (options.unsavedConnectionTest ?? true),
    users: [
      { email: "admin@example.com", role: "Admin" as const, tokens: [{ value: QUALYTICS_ADMIN_TOKEN }] },
      { email: "manager@example.com", role: "Manager" as const, tokens: [{ value: QUALYTICS_MANAGER_TOKEN }] },
      { email: "member@example.com", role: "Member" as const, tokens: [{ value: QUALYTICS_MEMBER_TOKEN }, { value: QUALYTICS_EXPIRED_TOKEN }] },
    ],
    teams: ["Public", "Data Engineering"],
  });
  const others = (options.dialects ?? []).filter((d) => d !== "cli");
  return { instances: [instance(QUALYTICS_HOST, "cli"), ...others.map((d) => instance(DIALECT_HOSTS[d], d))] };
}

/** An inline Databricks connection to the test workspace's warehouse, with the admin's token. */
export function databricksConnection(overrides: Partial<{ name: string; host: string; password: string; path: string }> = {}) {
  return {
    name: overrides.name ?? "dbx_conn",
    type: "databricks" as const,
    host: overrides.host ?? AWS_HOST,
    password: overrides.password ?? ADMIN_TOKEN,
    parameters: { path: overrides.path ?? WAREHOUSE_PATH },
  };
}

/** A create body for a source datastore on `main.sales` with its own inline connection. */
export function datastoreBody(name: string, overrides: Record<string, unknown> = {}) {
  return {
    name,
    teams: ["Public"],
    database: "main",
    schema: "sales",
    connection: databricksConnection({ name: `${name}_conn` }),
    ...overrides,
  };
}

export interface QualyticsHarness {
  qualytics: QualyticsSandbox;
  clock: ScaledClock;
  databricks: SandboxHarness;
  stateDir: string;
  url(host?: string): string;
  /** Calls the deployment's REST API as a client would (admin token unless told otherwise; acme unless `host`). */
  call(method: string, apiPath: string, options?: { token?: string | null; body?: unknown; rawBody?: string; host?: string }): Promise<ApiResult>;
  /** Calls `/__sandbox/...` on the deployment. */
  control(method: string, controlPath: string, body?: unknown): Promise<ApiResult>;
  /** Stops the Qualytics sandbox and starts it again on the same state (Databricks keeps running). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A Databricks test sandbox plus a Qualytics sandbox wired to it, both on fresh state and a
 * time scale of 0.001 (a one-minute sync takes 60 ms).
 */
export async function startQualyticsTestSandbox(options: { timeScale?: number; seed?: QualyticsSeed } = {}): Promise<QualyticsHarness> {
  const timeScale = options.timeScale ?? 0.001;
  const databricks = await startTestSandbox({ timeScale });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pdi-qualytics-"));
  // One clock across restarts, so a test can stop it and step through a run that spans one.
  const clock = new ScaledClock(timeScale);
  const start = () =>
    startQualyticsSandbox({
      seed: options.seed ?? qualyticsTestSeed(),
      stateDir,
      clock,
      databricksWorkspaces: databricks.sandbox.workspaces.map((w) => ({ host: w.host, url: w.url, orgId: w.runtime.orgId })),
    });
  let first: QualyticsSandbox;
  try {
    first = await start();
  } catch (err) {
    await databricks.close();
    throw err;
  }
  const harness: QualyticsHarness = {
    qualytics: first,
    clock,
    databricks,
    stateDir,
    url: (host = QUALYTICS_HOST) => harness.qualytics.endpoints[host]!,
    async call(method, apiPath, { token = QUALYTICS_ADMIN_TOKEN, body, rawBody, host } = {}) {
      const headers: Record<string, string> = {};
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined || rawBody !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(`${harness.url(host)}${apiPath}`, { method, headers, body: rawBody ?? (body !== undefined ? JSON.stringify(body) : undefined) });
      return toApiResult(res);
    },
    control: (method, controlPath, body) => controlCall(harness.url(), method, controlPath, body),
    async restart() {
      await harness.qualytics.close();
      harness.qualytics = await start();
    },
    async close() {
      await Promise.all([harness.qualytics.close(), databricks.close()]);
    },
  };
  return harness;
}

/**
 * Stops the Qualytics sandbox's clock so a test can see a sync under way without racing real
 * time; `advanceReal(ms)` moves it on by a real-world duration, scaled like the sandbox's own.
 */
export function freezeQualyticsClock(h: QualyticsHarness): { advanceReal(realMs: number): void } {
  let frozenAt = h.clock.now();
  h.clock.now = () => frozenAt;
  return {
    advanceReal: (realMs) => {
      frozenAt += h.clock.duration(realMs);
    },
  };
}
