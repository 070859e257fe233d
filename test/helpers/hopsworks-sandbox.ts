import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ScaledClock } from "../../sandbox/common/clock";
import type { DatabricksSeed } from "../../sandbox/databricks/seed";
import { startHopsworksSandbox, type HopsworksSandbox, type HopsworksSeed } from "../../sandbox/hopsworks";
import { ALICE_TOKEN, AWS_HOST, startTestSandbox, testSeed, controlCall, toApiResult, type ApiResult, type SandboxHarness } from "./databricks-sandbox";

export { eventually } from "./databricks-sandbox";

export const HOPSWORKS_HOST = "hopsworks.example.com";
export const HOPSWORKS_VERSION = "4.2.1";
export const HSFS_REQUIREMENT = "hsfs~=4.2.0";
export const PROJECT = "fraud_detection";
export const PROJECT_ID = 119;
export const OTHER_PROJECT = "churn";
export const OTHER_PROJECT_ID = 120;

/** Where every Hopsworks REST path starts. */
const API_BASE = "/hopsworks-api/api";

export interface HopsworksTestUser {
  email: string;
  password: string;
  username: string;
  apiKey: string;
}

/** Seed secrets: deliberately not shaped like real ones (no JWT, no `dapi` prefix). */
const testUser = (email: string, username: string, word: string): HopsworksTestUser => ({
  email,
  username,
  password: `sandbox-password-${word}`,
  apiKey: `sandbox-hopsworks-apikey-${word}`,
});

/** Data owner of fraud_detection. */
export const OWNER = testUser("owner@example.com", "owner01", "owner");
/** Data scientist in fraud_detection. */
export const SCIENTIST = testUser("scientist@example.com", "scient01", "scientist");
/** Not in fraud_detection; owner of churn. */
export const OUTSIDER = testUser("outsider@example.com", "outsider1", "outsider");

/** RUNNING, owned by alice: a user init script, AWS attributes, Spark conf and a tag of its own. */
export const MANAGED_CLUSTER = "0101-000000-aaaaaaaa";
/** TERMINATED, owned by alice: a policy and single-user access mode Hopsworks' edit drops. */
export const TERMINATED_CLUSTER = "0101-000000-bbbbbbbb";
/** RUNNING, owned by admin@example.com; alice may only attach to it. */
export const ATTACH_ONLY_CLUSTER = "0101-000000-cccccccc";

/** A cluster policy as a workspace admin would write it (see sandbox/databricks/cluster-policies.ts). */
export const ML_POLICY = {
  policy_id: "E0631F5C0D0006C9",
  name: "Single-user ML",
  definition: JSON.stringify({
    data_security_mode: { type: "fixed", value: "SINGLE_USER" },
    "custom_tags.cost_center": { type: "fixed", value: "ml" },
    autotermination_minutes: { type: "range", maxValue: 120, defaultValue: 60 },
  }),
};

/** A policy that forbids init scripts on DBFS (deprecated by Databricks), which Hopsworks' configure adds. */
/**
 * A security policy that forbids what Hopsworks sets in every release family: its TLS hostname
 * check bypass (`ALLOW_ALL`), and DBFS init scripts (written by 2.x–3.6 only).
 */
export const NO_DBFS_INIT_POLICY = {
  policy_id: "D0D0D0D0D0D0D0D1",
  name: "No TLS bypass, no DBFS init scripts",
  definition: JSON.stringify({
    "spark_conf.spark.hadoop.hops.ssl.hostname.verifier": { type: "forbidden" },
    "init_scripts.*.dbfs.destination": { type: "forbidden" },
  }),
};

/**
 * The Databricks test seed with clusters that carry what a configure must merge or drop: user
 * Spark conf and tags (kept), an init script (replaced), cloud attributes, a policy and an access
 * mode (lost by Hopsworks' lossy edit), plus a cluster alice cannot manage.
 */
/** Per release family (FAMILY_INSTANCES without the main one): a RUNNING and a TERMINATED cluster of its own. */
export const FAMILY_CLUSTERS: Record<string, { running: string; terminated: string }> = {
  "hopsworks-22.example.com": { running: "0101-000000-f22run00", terminated: "0101-000000-f22trm00" },
  "hopsworks-36.example.com": { running: "0101-000000-f36run00", terminated: "0101-000000-f36trm00" },
  "hopsworks-37.example.com": { running: "0101-000000-f37run00", terminated: "0101-000000-f37trm00" },
};

export function hopsworksDatabricksSeed(options: { families?: boolean } = {}): DatabricksSeed {
  const seed = testSeed();
  const aws = seed.workspaces.find((w) => w.host === AWS_HOST)!;
  const byId = (id: string) => aws.clusters.find((c) => c.cluster_id === id)!;
  Object.assign(byId(MANAGED_CLUSTER), {
    init_scripts: [{ workspace: { destination: "/Users/alice@example.com/init/setup.sh" } }],
    aws_attributes: { availability: "ON_DEMAND", zone_id: "us-west-2a", first_on_demand: 1 },
    spark_conf: { "spark.sql.shuffle.partitions": "64" },
    custom_tags: { team: "fraud" },
    autotermination_minutes: 60,
  });
  Object.assign(byId(TERMINATED_CLUSTER), {
    policy_id: "E0631F5C0D0006C9",
    data_security_mode: "SINGLE_USER",
    single_user_name: "alice@example.com",
    spark_conf: { "spark.databricks.delta.preview.enabled": "true" },
    custom_tags: { cost_center: "ml" },
  });
  // The policy the terminated cluster is under: it fixes the access mode and a tag, and limits
  // auto-termination (with a default), so restoring policy_id is checked against it.
  aws.policies = [...(aws.policies ?? []), ML_POLICY, NO_DBFS_INIT_POLICY];
  aws.clusters.push({
    cluster_id: ATTACH_ONLY_CLUSTER,
    cluster_name: "admin-only",
    spark_version: "15.4.x-scala2.12",
    node_type_id: "i3.xlarge",
    num_workers: 1,
    state: "RUNNING",
    owner: "admin@example.com",
    acl: [{ user_name: "alice@example.com", permission_level: "CAN_ATTACH_TO" }],
  });
  if (options.families) {
    // Copies of the two clusters above, one pair per family: the running one with its own init
    // script, Spark conf, tag and cloud attributes; the terminated one with a policy and a Unity
    // Catalog access mode (single user).
    for (const [host, ids] of Object.entries(FAMILY_CLUSTERS)) {
      const tag = host.split(".")[0]!;
      aws.clusters.push({ ...structuredClone(byId(MANAGED_CLUSTER)), cluster_id: ids.running, cluster_name: `${tag}-running` });
      aws.clusters.push({ ...structuredClone(byId(TERMINATED_CLUSTER)), cluster_id: ids.terminated, cluster_name: `${tag}-terminated` });
    }
  }
  return seed;
}

/**
 * One Hopsworks instance per release family besides the main one (4.2.1, family C on a 4.x
 * release): 2.2 (A), 3.6 (B), 3.7 (C). Same users and projects on each. The 3.7 instance keeps
 * Hopsworks' real JWT lifetime (30 + 15 minutes, scaled: 2.7 s at 0.001) and configures for 50
 * minutes more than the others, so a deployment outlives its session.
 */
export const FAMILY_INSTANCES = [
  { host: "hopsworks-22.example.com", version: "2.2.0", family: "A" },
  { host: "hopsworks-36.example.com", version: "3.6.0", family: "B" },
  { host: "hopsworks-37.example.com", version: "3.7.1", family: "C", realJwtLifetime: true },
  { host: HOPSWORKS_HOST, version: HOPSWORKS_VERSION, family: "C" },
] as const;

/**
 * (`outlivedSessions`: the 3.7 instance's real session lifetime and slow configure are switched on.)
 *
 * The test seed: the main instance (HOPSWORKS_HOST, 4.2.1) with the three test users and two
 * projects (fraud_detection 119, churn 120); with `families`, also the other FAMILY_INSTANCES.
 * Login sessions last 24 hours of real time here (86 s at scale 0.001) unless an instance keeps
 * the real lifetime, so contract tests never meet an expiry they did not ask for.
 */
export function hopsworksTestSeed(options: { families?: boolean; outlivedSessions?: boolean } = {}): HopsworksSeed {
  const seedUser = (u: HopsworksTestUser, firstname: string, lastname: string) => ({
    email: u.email,
    password: u.password,
    username: u.username,
    firstname,
    lastname,
    apiKeys: [{ name: "seed", value: u.apiKey }],
  });
  // The real-lifetime instance's configures take 50 minutes more (3 s at 0.001): its second
  // configure of a deployment always meets an expired session.
  const instance = (host: string, version: string, realJwtLifetime = false) => ({
    host,
    version,
    ...(realJwtLifetime ? { configureDurationMs: 50 * 60_000 } : { jwtLifetimeMs: 24 * 3600_000 }),
    users: [seedUser(OWNER, "Olivia", "Owner"), seedUser(SCIENTIST, "Sam", "Scientist"), seedUser(OUTSIDER, "Oscar", "Outsider")],
    projects: [
      { name: PROJECT, owner: OWNER.email, members: [{ email: SCIENTIST.email, role: "Data scientist" as const }] },
      { name: OTHER_PROJECT, owner: OUTSIDER.email },
    ],
  });
  const others = options.families
    ? FAMILY_INSTANCES.filter((f) => f.host !== HOPSWORKS_HOST).map((f) =>
        instance(f.host, f.version, options.outlivedSessions === true && "realJwtLifetime" in f),
      )
    : [];
  return { instances: [instance(HOPSWORKS_HOST, HOPSWORKS_VERSION), ...others] };
}

export interface HopsworksHarness {
  hopsworks: HopsworksSandbox;
  databricks: SandboxHarness;
  clock: ScaledClock;
  stateDir: string;
  /** Local base URL of HOPSWORKS_HOST, or of another seeded host (no base path). */
  url(host?: string): string;
  /** Logs in through `POST /auth/login` (on HOPSWORKS_HOST unless told); returns the JWT (without "Bearer "). */
  login(user?: HopsworksTestUser, host?: string): Promise<string>;
  /** Calls the REST API (`apiPath` relative to `/hopsworks-api/api`); no credentials unless given. */
  call(
    method: string,
    apiPath: string,
    options?: { jwt?: string; apiKey?: string; body?: unknown; form?: Record<string, string>; host?: string },
  ): Promise<ApiResult>;
  /** Calls `/__sandbox/...` on the Hopsworks listener. */
  control(method: string, controlPath: string, body?: unknown): Promise<ApiResult>;
  /** Stops Hopsworks and starts it again on the same state; Databricks keeps running. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A Databricks test sandbox (hopsworksDatabricksSeed) plus a Hopsworks sandbox wired to it, both
 * on fresh state; time scale 0.001 unless told (a 4-minute cluster start takes 240 ms).
 */
export async function startHopsworksTestSandbox(
  options: { timeScale?: number; families?: boolean; outlivedSessions?: boolean; databricksSeed?: DatabricksSeed } = {},
): Promise<HopsworksHarness> {
  const timeScale = options.timeScale ?? 0.001;
  const databricks = await startTestSandbox({ seed: options.databricksSeed ?? hopsworksDatabricksSeed({ families: options.families }), timeScale });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pdi-hopsworks-"));
  // One clock across restarts, so a test can stop it and step through time that spans one.
  const clock = new ScaledClock(timeScale);
  const start = () =>
    startHopsworksSandbox({
      seed: hopsworksTestSeed({ families: options.families, outlivedSessions: options.outlivedSessions }),
      stateDir,
      clock,
      databricksWorkspaces: databricks.sandbox.workspaces.map((w) => ({ host: w.host, url: w.url })),
    });
  let first: HopsworksSandbox;
  try {
    first = await start();
  } catch (err) {
    await databricks.close();
    throw err;
  }
  const harness: HopsworksHarness = {
    hopsworks: first,
    databricks,
    clock,
    stateDir,
    url: (host = HOPSWORKS_HOST) => harness.hopsworks.endpoints[host]!,
    async login(user = OWNER, host?: string) {
      const res = await harness.call("POST", "/auth/login", { form: { email: user.email, password: user.password }, host });
      const header = res.headers.get("authorization") ?? "";
      if (res.status !== 200 || !header.startsWith("Bearer ")) throw new Error(`login as ${user.email} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return header.slice("Bearer ".length);
    },
    async call(method, apiPath, { jwt, apiKey, body, form, host } = {}) {
      const headers: Record<string, string> = {};
      if (jwt !== undefined) headers.authorization = `Bearer ${jwt}`;
      else if (apiKey !== undefined) headers.authorization = `ApiKey ${apiKey}`;
      let payload: string | undefined;
      if (form !== undefined) {
        headers["content-type"] = "application/x-www-form-urlencoded";
        payload = new URLSearchParams(form).toString();
      } else if (body !== undefined) {
        headers["content-type"] = "application/json";
        payload = JSON.stringify(body);
      }
      return toApiResult(await fetch(`${harness.url(host)}${API_BASE}${apiPath}`, { method, headers, body: payload }));
    },
    control: (method, controlPath, body) => controlCall(harness.url(), method, controlPath, body),
    async restart() {
      await harness.hopsworks.close();
      harness.hopsworks = await start();
    },
    async close() {
      await Promise.all([harness.hopsworks.close(), databricks.close()]);
    },
  };
  return harness;
}

/**
 * The stack config a Hopsworks program needs against the test sandboxes: the AWS workspace with
 * alice's token and the Hopsworks login of the Data owner (the endpoint override is the engine
 * harness's: ./engine-harness).
 */
export function hopsworksStackConfig(): { config: Record<string, string>; secretConfig: Record<string, string> } {
  return {
    config: {
      "databricks:host": AWS_HOST,
      "hopsworks:host": HOPSWORKS_HOST,
      "hopsworks:project": PROJECT,
      "hopsworks:email": OWNER.email,
    },
    secretConfig: { "databricks:token": ALICE_TOKEN, "hopsworks:password": OWNER.password },
  };
}

/**
 * What a full-spec `clusters/edit` may send back of a cluster read with `clusters/get`: the
 * cluster without the fields Databricks reports but does not take (state, times, default tags,
 * creator, source).
 */
export function editableSpec(cluster: Record<string, any>): Record<string, any> {
  const {
    state: _s,
    state_message: _m,
    default_tags: _d,
    creator_user_name: _c,
    start_time: _t,
    last_restarted_time: _l,
    terminated_time: _tt,
    termination_reason: _r,
    cluster_source: _cs,
    ...spec
  } = cluster;
  return spec;
}
