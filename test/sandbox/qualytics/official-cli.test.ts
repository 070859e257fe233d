import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ADMIN_TOKEN, AWS_HOST } from "../../helpers/databricks-sandbox";
import {
  QUALYTICS_ADMIN_TOKEN,
  QUALYTICS_EXPIRED_TOKEN,
  WAREHOUSE_PATH,
  startQualyticsTestSandbox,
  type QualyticsHarness,
} from "../../helpers/qualytics-sandbox";

/**
 * The official Qualytics command line (`qualytics-cli`, pinned in scripts/python-clients.txt and
 * installed into the project's .venv by scripts/python-clients.sh) driven against the sandbox:
 * configure, list, create a connection and two datastores, link, verify, run and poll a sync,
 * update, unlink, delete. Each step checks what the CLI printed and what the sandbox holds. Its
 * config lives in a temporary HOME, never the real one.
 */
jest.setTimeout(180_000);

const REPO = path.join(__dirname, "../../..");
const PYTHON = process.env.PDI_PYTHON ?? path.join(REPO, ".venv", "bin", "python");
const QUALYTICS_CLI = path.join(path.dirname(PYTHON), "qualytics");

interface CliResult {
  code: number;
  out: string;
}

describe("the official qualytics CLI against the sandbox", () => {
  let h: QualyticsHarness;
  let home: string;

  beforeAll(async () => {
    if (!fs.existsSync(QUALYTICS_CLI)) {
      throw new Error(
        `the official Qualytics CLI is not installed at ${QUALYTICS_CLI}: run \`bash scripts/python-clients.sh\` (it installs scripts/python-clients.txt into .venv)`,
      );
    }
    h = await startQualyticsTestSandbox({ timeScale: 0.001 });
    home = fs.mkdtempSync(path.join(os.tmpdir(), "pdi-qualytics-cli-"));
  });
  afterAll(async () => {
    await h?.close();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  const cli = (...args: string[]): Promise<CliResult> =>
    new Promise((resolve) => {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        QUALYTICS_CONFIG_HOME: path.join(home, ".qualytics"),
        NO_COLOR: "1",
        TERM: "dumb",
        COLUMNS: "400",
        PYTHONIOENCODING: "utf-8",
      };
      execFile(QUALYTICS_CLI, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
        resolve({ code, out: `${stdout}${stderr}` });
      });
    });
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    if (r.code !== 0) throw new Error(`qualytics ${args.join(" ")} exited ${r.code}:\n${r.out}`);
    return r.out;
  };
  const live = async (p: string) => (await h.call("GET", `/api${p}`)).body;

  test("configure, list, create, link, verify, sync, update, unlink, delete", async () => {
    // An expired JWT is refused by the CLI itself, before any request; nothing is saved.
    await h.control("DELETE", "/requests");
    const expired = await cli("auth", "init", "--url", h.url(), "--token", QUALYTICS_EXPIRED_TOKEN);
    expect(expired.out).toMatch(/Your token is expired/);
    expect(fs.existsSync(path.join(home, ".qualytics", "config.yaml"))).toBe(false);

    // Configure with the seeded token (a JWT valid for years).
    expect(await ok("auth", "init", "--url", h.url(), "--token", QUALYTICS_ADMIN_TOKEN)).toMatch(/Configuration saved!/);
    expect(fs.readFileSync(path.join(home, ".qualytics", "config.yaml"), "utf8")).toContain(`url: ${h.url()}/api/`);
    expect(await ok("auth", "status")).toMatch(/Logged in[\s\S]*Token expires in \d+ day/);
    expect((await h.control("GET", "/requests")).body.requests).toEqual([]);

    expect(await ok("datastores", "list")).toMatch(/Found 0 datastores\./);

    // A Databricks connection; the printed payload and answer never show the token.
    const made = await ok(
      "connections",
      "create",
      "--type",
      "databricks",
      "--name",
      "cli_conn",
      "--host",
      AWS_HOST,
      "--port",
      "443",
      "--password",
      ADMIN_TOKEN,
      "--parameters",
      JSON.stringify({ path: WAREHOUSE_PATH }),
    );
    expect(made).toMatch(/Connection created successfully![\s\S]*Connection ID: 1[\s\S]*Connection Name: cli_conn[\s\S]*Connection Type: databricks/);
    expect(made).not.toContain(ADMIN_TOKEN);
    expect(await live("/connections/1")).toMatchObject({ name: "cli_conn", host: AWS_HOST, parameters: { path: WAREHOUSE_PATH }, datastores: [] });
    expect(await ok("connections", "test", "--id", "1")).toMatch(/Connection 1: test passed successfully/);

    // An enrichment datastore by connection id, a source by connection name.
    const enrichment = await ok(
      "datastores",
      "create",
      "--name",
      "cli_enrichment",
      "--connection-id",
      "1",
      "--database",
      "main",
      "--schema",
      "default",
      "--enrichment-only",
      "--no-trigger-sync",
    );
    expect(enrichment).toMatch(/Datastore created successfully![\s\S]*Datastore ID: 1/);
    const source = await ok(
      "datastores",
      "create",
      "--name",
      "cli_sales",
      "--connection-name",
      "cli_conn",
      "--database",
      "main",
      "--schema",
      "sales",
      "--no-trigger-sync",
    );
    expect(source).toMatch(/Found existing connection with ID: 1[\s\S]*Datastore ID: 2/);
    expect(await live("/datastores/1")).toMatchObject({ name: "cli_enrichment", enrichment_only: true, connection_id: 1 });
    expect(await live("/datastores/2")).toMatchObject({ name: "cli_sales", enrichment_only: false, database: "main", schema: "sales", latest_operation: null });
    expect(await ok("datastores", "list", "--enrichment-only")).toMatch(/Found 1 datastores\.[\s\S]*cli_enrichment/);

    // Link, verify.
    expect(await ok("datastores", "enrichment", "--id", "2", "--link", "1")).toMatch(/Enrichment datastore 1 linked to datastore 2/);
    expect((await live("/datastores/2")).enrich_datastore).toMatchObject({ id: 1, name: "cli_enrichment" });
    expect(await ok("datastores", "verify", "--id", "2")).toMatch(/Datastore 2: connection verified successfully/);

    // Run a sync and poll it to the end.
    const sync = await ok("operations", "sync", "--datastore-id", "2", "--poll-interval", "1");
    expect(sync).toMatch(/Started Sync operation 1 for datastore: 2[\s\S]*Successfully Finished Sync operation 1 for datastore: 2/);
    expect(await live("/operations/1")).toMatchObject({ type: "sync", datastore_id: 2, result: "success", end_time: expect.any(String) });
    expect(await ok("operations", "list", "--datastore-id", "2")).toMatch(/Found 1 operations\./);

    // Update (GET, merge, PUT): the enrichment settings land on the source.
    const updated = await ok(
      "datastores",
      "update",
      "--id",
      "2",
      "--enrichment-remediation-strategy",
      "append",
      "--enrichment-prefix",
      "Sales Bronze",
      "--tags",
      "finance",
    );
    expect(updated).toMatch(/Datastore 2 updated successfully\./);
    expect(await live("/datastores/2")).toMatchObject({
      enrichment_remediation_strategy: "append",
      enrichment_prefix: "_sales_bronze",
      global_tags: [{ name: "finance" }],
      enrich_datastore: { id: 1 },
      database: "main",
      schema: "sales",
    });

    // Unlink: the link goes and Qualytics resets the strategy to none.
    expect(await ok("datastores", "enrichment", "--id", "2", "--unlink")).toMatch(/Enrichment unlinked from datastore 2/);
    expect(await live("/datastores/2")).toMatchObject({ enrich_datastore: null, enrichment_remediation_strategy: "none", enrichment_prefix: "_sales_bronze" });

    // A connection in use cannot be deleted; datastores first, then the connection.
    expect((await cli("connections", "delete", "--id", "1")).out).toMatch(/Cannot delete connection 1: datastores still reference it/);
    expect(await ok("datastores", "delete", "--id", "2")).toMatch(/Datastore with ID 2 deleted successfully!/);
    expect(await ok("datastores", "delete", "--id", "1")).toMatch(/Datastore with ID 1 deleted successfully!/);
    expect(await ok("connections", "delete", "--id", "1")).toMatch(/Connection 1 deleted successfully/);
    expect((await live("/datastores")).items).toEqual([]);
    expect((await live("/datastores?enrichment_only=true")).items).toEqual([]);
    expect((await live("/connections")).items).toEqual([]);
  });

  test("doctor reaches /status and reads /openapi.json: every datastore, connection and operation call the CLI makes is served", async () => {
    const doctor = await cli("doctor");
    expect(doctor.out).toMatch(/Token validity\s+Valid \(expires in \d+ days\)/);
    expect(doctor.out).toMatch(/API connection\s+Reachable at http:\/\/127\.0\.0\.1:\d+\/api\/status/);
    // The CLI's own compatibility check over the sandbox's OpenAPI document: what it still
    // misses are the parts of Qualytics the sandbox does not model (containers, checks, ...).
    const spec = path.join(home, "openapi.json");
    fs.writeFileSync(spec, JSON.stringify((await h.call("GET", "/api/openapi.json", { token: null })).body));
    const missing = await new Promise<string[]>((resolve, reject) =>
      execFile(
        PYTHON,
        [
          "-c",
          "import json,sys; from qualytics.api.compatibility import find_incompatible_operations as f; print(json.dumps(f(json.load(open(sys.argv[1])))))",
          spec,
        ],
        (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout) as string[])),
      ),
    );
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.filter((m) => /\/api\/(datastores|connections|operations)/.test(m))).toEqual([]);
  });
});
