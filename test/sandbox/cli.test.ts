/**
 * The sandbox command line (dist/scripts/sandbox-cli.js, so build first): daemon lifecycle in a
 * temp home, list, every named change checked through the service's own API, restart on the same
 * state and ports, usage errors. The CLI runs seed.json (sped up tenfold through `--config`); the
 * test reads its credentials from it.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { readSeed } from "../../scripts/lib/platform-config";

const REPO = path.resolve(__dirname, "..", "..");
const CLI = path.join(REPO, "dist", "scripts", "sandbox-cli.js");
const SEED = readSeed(REPO) as any;
const WS = SEED.databricks.workspaces[0];
const WS_HOST: string = WS.host;
const ADMIN_PAT: string = WS.users.find((u: { admin: boolean }) => u.admin).tokens[0].value;
const CLUSTER: string = WS.clusters[0].cluster_id;
const OTHER_CLUSTER: string = WS.clusters[1].cluster_id;
const HW = SEED.hopsworks.instances[0];
const HW_ADMIN = HW.users.find((u: { email: string }) => u.email === "platform-admin@example.com");
const QUALYTICS_HOST: string = SEED.qualytics.instances[0].host;
const QUALYTICS_TOKEN: string = SEED.qualytics.instances[0].users[0].tokens[0].value;
/** The seed's Hopsworks runs 4.2.1 (release family C): 9 Spark keys, no metastore keys, no init script. */
const HOPS_KEYS = 9;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), "pdi-sandbox-cli-"));
/** seed.json with cluster starts and restarts ten times faster than the people's default. */
const config = path.join(home, "seed.json");
fs.writeFileSync(config, JSON.stringify({ ...SEED, timeScale: SEED.timeScale / 10 }));

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", CLI, ...args, "--home", home, "--config", config],
      { timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function cliJson(...args: string[]): Promise<any> {
  const run = await cli(...args, "--json");
  if (run.code !== 0) throw new Error(`sandbox-cli ${args.join(" ")} exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

const record = () => JSON.parse(fs.readFileSync(path.join(home, "sandbox.json"), "utf8"));

/** A call to a running service's API, as any client would make it. */
async function api(host: string, method: string, apiPath: string, auth?: string, body?: unknown, form?: Record<string, string>) {
  const headers: Record<string, string> = {};
  if (auth) headers.authorization = auth;
  let payload: string | undefined;
  if (form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    payload = new URLSearchParams(form).toString();
  } else if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const res = await fetch(`${record().endpoints[host]}${apiPath}`, { method, headers, body: payload });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const dbx = (method: string, apiPath: string, body?: unknown, token = ADMIN_PAT) => api(WS_HOST, method, apiPath, `Bearer ${token}`, body);
const qualytics = (method: string, apiPath: string, body?: unknown) => api(QUALYTICS_HOST, method, `/api${apiPath}`, `Bearer ${QUALYTICS_TOKEN}`, body);
let jwt = "";
/** A call with the login session, logging in again when Hopsworks refuses it (a JWT lives 30 + 15 minutes: 27 s at the seed's time scale). */
const hopsworks = async (method: string, apiPath: string, body?: unknown) => {
  const res = await api(HW.host, method, `/hopsworks-api/api${apiPath}`, jwt, body);
  if (res.status !== 401) return res;
  const login = await api(HW.host, "POST", "/hopsworks-api/api/auth/login", undefined, undefined, { email: HW_ADMIN.email, password: HW_ADMIN.password });
  jwt = login.headers.get("authorization")!;
  return api(HW.host, method, `/hopsworks-api/api${apiPath}`, jwt, body);
};
const getCluster = async (id = CLUSTER) => (await dbx("GET", `/api/2.0/clusters/get?cluster_id=${id}`)).body;
const INTEGRATION = `/project/119/integrations/databricks`;

function killDaemon(): void {
  try {
    process.kill(record().pid, "SIGKILL");
  } catch {
    // not running
  }
}

afterAll(async () => {
  const stopped = await cli("stop");
  if (stopped.code !== 0) killDaemon();
  killDaemon(); // belt and braces: never leave a daemon behind
  fs.rmSync(home, { recursive: true, force: true });
}, 60_000);

describe("sandbox CLI", () => {
  test("usage errors exit 2 and name the problem; status says not running", async () => {
    const none = await cli("status");
    expect(none).toMatchObject({ code: 0 });
    expect(none.stdout).toContain("not running");
    const unknown = await cli("change", "no-such-change");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown change no-such-change");
    expect((await cli("frobnicate")).code).toBe(2);
    const badOption = await cli("change", "delete-cluster", "--bogus", "x");
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("--bogus");
    expect((await cli("change", "delete-cluster", "--cluster")).code).toBe(2);
    expect((await cli("list", "nosuchservice")).code).toBe(2);
    const help = await cli("change", "uninstall-hsfs", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--restart");
    expect(fs.existsSync(path.join(home, "sandbox.json"))).toBe(false);
    expect((await cli("stop")).stdout).toContain("not running");
  });

  test("start runs a daemon, writes sandbox.json, and a second start says it is running", async () => {
    const started = await cli("start");
    expect(started.code).toBe(0);
    expect(started.stdout).toContain("started");
    const rec = record();
    expect(rec).toMatchObject({ pid: expect.any(Number), stateDir: path.join(home, "services"), startedAt: expect.any(String), configFile: config });
    expect(Object.keys(rec.endpoints)).toEqual(expect.arrayContaining([WS_HOST, HW.host, QUALYTICS_HOST]));
    expect(started.stdout).toContain(rec.endpoints[WS_HOST]);
    const again = await cli("start");
    expect(again).toMatchObject({ code: 0 });
    expect(again.stdout).toContain(`already running (pid ${rec.pid})`);
    const status = await cliJson("status");
    expect(status).toMatchObject({ running: true, pid: rec.pid, endpoints: rec.endpoints });
  }, 60_000);

  test("a default target that does not exist is a usage error naming the option", async () => {
    const noTagged = await cli("change", "remove-hopsworks-spark-keys");
    expect(noTagged.code).toBe(2);
    expect(noTagged.stderr).toContain("--cluster is needed");
    const noToken = await cli("change", "revoke-token");
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("--token is needed");
    const missing = await cli("change", "delete-cluster", "--cluster", "0000-000000-nothere0");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--cluster: no cluster 0000-000000-nothere0");
    expect((await cli("change", "unregister-databricks")).code).toBe(2);
    expect((await cli("change", "delete-datastore")).code).toBe(2);
  }, 60_000);

  test("set up as the stack would: a token, Hopsworks configuring a cluster, Qualytics datastores; list shows it", async () => {
    const token = await dbx("POST", "/api/2.0/token/create", { comment: "integrations [pulumi:1a2b3c4d]", lifetime_seconds: 86400 });
    expect(token.status).toBe(200);

    const login = await api(HW.host, "POST", "/hopsworks-api/api/auth/login", undefined, undefined, { email: HW_ADMIN.email, password: HW_ADMIN.password });
    jwt = login.headers.get("authorization")!;
    expect((await hopsworks("POST", `${INTEGRATION}/${WS_HOST}`, { apiKey: ADMIN_PAT })).status).toBe(200);
    const configured = await hopsworks("POST", `${INTEGRATION}/${WS_HOST}/clusters/${CLUSTER}`);
    expect(configured.status).toBe(200);

    const connection = { name: "dbx", type: "databricks", host: WS_HOST, password: ADMIN_PAT, parameters: { path: "/sql/1.0/warehouses/8c1f2e3d4a5b6c7d" } };
    const enrichment = await qualytics("POST", "/datastores", {
      name: "dbx_enrichment",
      connection,
      database: "quality",
      schema: "enrichment",
      enrichment_only: true,
    });
    expect(enrichment.status).toBe(200);
    const source = await qualytics("POST", "/datastores", {
      name: "dbx_sales",
      connection_id: enrichment.body.connection_id,
      database: "main",
      schema: "sales",
      enrichment_datastore_id: enrichment.body.id,
    });
    expect(source.status).toBe(200);

    const listing = await cliJson("list");
    const ws = listing.databricks.find((w: { host: string }) => w.host === WS_HOST);
    expect(ws.tokens).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: token.body.token_info.token_id, comment: "integrations [pulumi:1a2b3c4d]" })]),
    );
    const cluster = ws.clusters.find((c: { id: string }) => c.id === CLUSTER);
    expect(cluster).toMatchObject({ hopsworksProjectId: "119", hopsworksSparkKeys: HOPS_KEYS, hopsworksSparkKeysTotal: HOPS_KEYS });
    expect(cluster.initScripts).toEqual([]);
    expect(cluster.libraries).toEqual([
      expect.objectContaining({ library: "pypi:hsfs~=4.2.0" }),
      expect.objectContaining({ library: expect.stringMatching(/^jar:dbfs:\/\/\/hopsworks\/10\.[\d.]+\/hops-hadoop-client-4\.2\.0\.jar$/) }),
      expect.objectContaining({ library: expect.stringMatching(/^jar:dbfs:\/\/\/hopsworks\/.*\/hsfs-spark-4\.2\.0\.jar$/) }),
    ]);
    expect(listing.hopsworks[0].version).toBe(HW.version);
    const admin = listing.hopsworks[0].users.find((u: { email: string }) => u.email === HW_ADMIN.email);
    expect(admin.registrations).toEqual([{ workspace: WS_HOST, keyEnding: ADMIN_PAT.slice(-4) }]);
    expect(listing.qualytics[0].datastores).toEqual([
      expect.objectContaining({ name: "dbx_enrichment", type: "enrichment", catalog: "quality", database: "enrichment" }),
      expect.objectContaining({ name: "dbx_sales", type: "source", enrichmentId: enrichment.body.id, catalog: "main", database: "sales" }),
    ]);

    const text = await cli("list", "databricks", "--workspace", WS_HOST);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${HOPS_KEYS}/${HOPS_KEYS}`);
    expect(text.stdout).not.toMatch(/^(hopsworks|qualytics) /m);
  }, 120_000);

  test("Databricks changes: Spark key changed, keys removed, no init script to remove (4.2), a jar and the client uninstalled, token revoked", async () => {
    const changed = await cli("change", "change-hopsworks-spark-key");
    expect({ code: changed.code, stderr: changed.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(changed.stdout).toContain("spark.hadoop.hops.ssl.hostname.verifier to STRICT (was ALLOW_ALL)");
    expect((await getCluster()).spark_conf["spark.hadoop.hops.ssl.hostname.verifier"]).toBe("STRICT");

    expect((await cli("change", "remove-hopsworks-spark-keys", "--cluster", CLUSTER)).code).toBe(0);
    const afterKeys = await getCluster();
    expect(Object.keys(afterKeys.spark_conf ?? {}).filter((k) => k.startsWith("spark.hadoop.hops") || k === "spark.serializer")).toEqual([]);
    expect(afterKeys.custom_tags.hopsworks_project_id).toBe("119"); // the rest of the spec is kept

    // 3.7 and later write no init script.
    const nothingLeft = await cli("change", "remove-hopsworks-init-script");
    expect(nothingLeft.code).toBe(1);
    expect(nothingLeft.stderr).toContain("no Hopsworks init script");

    const jar = await cli("change", "uninstall-hopsworks-jar");
    expect(jar.code).toBe(0);
    expect(jar.stdout).toMatch(/marked jar:dbfs:\/\/\/hopsworks\/.*\.jar for uninstall/);
    const uninstalled = await cli("change", "uninstall-hsfs", "--restart");
    expect(uninstalled.code).toBe(0);
    const libs = (await dbx("GET", `/api/2.0/libraries/cluster-status?cluster_id=${CLUSTER}`)).body.library_statuses ?? [];
    // The client is gone after the restart; the other jar stays (only one was uninstalled).
    expect(libs.filter((l: { library: { pypi?: unknown } }) => l.library.pypi !== undefined)).toEqual([]);
    expect(libs.map((l: { library: { jar?: string } }) => l.library.jar)).toEqual([expect.stringMatching(/hsfs-spark-4\.2\.0\.jar$/)]);

    const before = (await dbx("GET", "/api/2.0/token/list")).body.token_infos;
    const pulumiToken = before.find((t: { comment: string }) => t.comment.includes("[pulumi:"));
    const revoked = await cli("change", "revoke-token");
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(pulumiToken.token_id.slice(0, 12));
    const after = (await dbx("GET", "/api/2.0/token/list")).body.token_infos;
    expect(after.map((t: { token_id: string }) => t.token_id)).not.toContain(pulumiToken.token_id);
    expect((await cli("change", "revoke-token", "--token", "ffffffffffff")).code).toBe(2);
  }, 120_000);

  test("Hopsworks changes: the registered key is replaced, then the registration removed", async () => {
    const replaced = await cliJson("change", "change-registered-key");
    expect(replaced).toMatchObject({ change: "change-registered-key", service: "hopsworks" });
    const secret = await hopsworks("GET", `/users/secrets/db_${WS_HOST}`);
    expect(secret.status).toBe(200);
    const newKey: string = secret.body.items[0].secret;
    expect(newKey).not.toBe(ADMIN_PAT);
    // The new key is a working token of the admin.
    expect((await dbx("GET", "/api/2.0/token/list", undefined, newKey)).status).toBe(200);
    expect((await hopsworks("GET", INTEGRATION)).body.items).toEqual([expect.objectContaining({ url: WS_HOST })]);

    const removed = await cli("change", "unregister-databricks", "--user", HW_ADMIN.email);
    expect(removed.code).toBe(0);
    expect((await hopsworks("GET", INTEGRATION)).body.count).toBe(0);
    expect((await hopsworks("GET", `/users/secrets/db_${WS_HOST}`)).status).toBe(404);
  }, 60_000);

  test("Qualytics changes: unlink, edit, delete", async () => {
    expect((await cli("change", "unlink-enrichment")).code).toBe(0);
    const all = (await qualytics("GET", "/datastores?name=dbx_sales")).body.items;
    expect(all[0].enrich_datastore).toBeNull();

    const edited = await cli("change", "edit-datastore", "--datastore", "dbx_sales", "--description", "edited by hand", "--database", "default");
    expect(edited.code).toBe(0);
    const after = (await qualytics("GET", `/datastores/${all[0].id}`)).body;
    expect(after).toMatchObject({ description: "edited by hand", database: "main", schema: "default", teams: all[0].teams });

    expect((await cli("change", "delete-datastore", "--datastore", "dbx_sales")).code).toBe(0);
    expect((await qualytics("GET", `/datastores/${all[0].id}`)).status).toBe(404);
  }, 60_000);

  test("delete-cluster, then a restart keeps state and ports; list after stop starts the daemon again", async () => {
    expect((await cli("change", "delete-cluster", "--cluster", OTHER_CLUSTER)).code).toBe(0);
    expect((await dbx("GET", `/api/2.0/clusters/get?cluster_id=${OTHER_CLUSTER}`)).status).toBe(400);

    const endpoints = record().endpoints;
    const stopped = await cli("stop");
    expect(stopped).toMatchObject({ code: 0 });
    expect(stopped.stdout).toContain("stopped");
    expect(fs.existsSync(path.join(home, "sandbox.json"))).toBe(false);
    expect((await cliJson("status")).running).toBe(false);

    const restarted = await cliJson("start");
    expect(restarted).toMatchObject({ started: true, endpoints });
    expect((await dbx("GET", `/api/2.0/clusters/get?cluster_id=${OTHER_CLUSTER}`)).status).toBe(400);
    expect((await getCluster()).init_scripts ?? []).toEqual([]);

    expect((await cli("stop")).code).toBe(0);
    const listed = await cli("list", "qualytics", "--json");
    expect(listed.code).toBe(0);
    expect(listed.stderr).toContain("not running: starting it");
    expect(JSON.parse(listed.stdout).qualytics[0].datastores.map((d: { name: string }) => d.name)).toEqual(["dbx_enrichment"]);
    expect(record().endpoints).toEqual(endpoints);
  }, 120_000);

  test("a preferred port taken meanwhile falls back to a free one; the others stay", async () => {
    const before = record().endpoints;
    expect((await cli("stop")).code).toBe(0);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(new URL(before[QUALYTICS_HOST]).port), "127.0.0.1", resolve));
    try {
      const started = await cliJson("start");
      expect(started.endpoints[QUALYTICS_HOST]).not.toBe(before[QUALYTICS_HOST]);
      expect(started.endpoints[WS_HOST]).toBe(before[WS_HOST]);
      expect((await qualytics("GET", "/datastores?enrichment_only=true")).body.items.map((d: { name: string }) => d.name)).toEqual(["dbx_enrichment"]);
    } finally {
      blocker.close();
    }
  }, 60_000);
});
