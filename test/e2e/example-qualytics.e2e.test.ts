import * as fs from "fs";
import * as path from "path";
import type { Sandbox } from "../../sandbox";
import { EngineHarness } from "../helpers/engine-harness";
import { REPO_ROOT, SEED, startPlatformSandbox } from "../helpers/platform-harness";
import type { StackOpRequest, StackOpResult } from "../../scripts/lib/stack-op-process";

jest.setTimeout(300_000);

const EXAMPLE_DIR = path.join(REPO_ROOT, "examples", "qualytics");
const PROJECT = "qualytics-example";

/** The sandbox seed the example's README uses: its workspace, warehouse, tokens and Qualytics instance. */
const workspace = SEED.databricks.workspaces[0];
const userToken = (email: string) => workspace.users.find((u) => u.userName === email)!.tokens[0].value;
const ADMIN_TOKEN = userToken("platform-admin@example.com");
/** The "other team" connects its enrichment datastore with its own Databricks token. */
const OTHER_TEAM_TOKEN = userToken("data-scientist@example.com");
const WAREHOUSE_PATH = `/sql/1.0/warehouses/${workspace.warehouses[0].id}`;
const QUALYTICS = SEED.qualytics.instances[0];
const QUALYTICS_TOKEN = QUALYTICS.users[0].tokens[0].value;

interface LiveDatastore {
  id: number;
  name: string;
  connection_id: number;
  database: string | null;
  schema: string | null;
  enrichment_only: boolean;
  enrich_datastore: { id: number } | null;
  connected: boolean;
}

/**
 * The Qualytics example (examples/qualytics) on the real engine against the sandbox, as its
 * README runs it: another team's enrichment datastore exists first (made out of band through
 * the Qualytics API); the stack links one source to it and another to an enrichment datastore
 * it creates; a second preview has no changes; destroy removes what the stack made and leaves
 * the other team's datastore alone.
 */
describe("examples/qualytics end to end (real engine, sandbox)", () => {
  let sandbox: Sandbox;
  /** The example's stack; its audit searches every token used or issued in everything the engine printed or stored. */
  let stack: EngineHarness;
  let base: Omit<StackOpRequest, "op">;
  let existing: LiveDatastore;

  const qualyticsUrl = () => sandbox.endpoints[QUALYTICS.host]!;
  const qualytics = async (method: string, apiPath: string, body?: unknown) => {
    const res = await fetch(`${qualyticsUrl()}${apiPath}`, {
      method,
      headers: { authorization: `Bearer ${QUALYTICS_TOKEN}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const datastore = async (id: number) => (await qualytics("GET", `/api/datastores/${id}`)).body as LiveDatastore;
  const run = (op: StackOpRequest["op"], extra: Partial<StackOpRequest> = {}): Promise<StackOpResult> => stack.run(op, extra);

  beforeAll(async () => {
    sandbox = await startPlatformSandbox(0.001);

    // Another team's enrichment datastore, made the way they would: through the Qualytics API,
    // with their own connection and token. The stack only ever learns its id.
    const made = await qualytics("POST", "/api/datastores", {
      name: "shared_enrichment",
      teams: ["Public"],
      enrichment_only: true,
      database: "quality",
      schema: "enrichment",
      connection: {
        name: "shared_enrichment_connection",
        type: "databricks",
        host: workspace.host,
        password: OTHER_TEAM_TOKEN,
        parameters: { path: WAREHOUSE_PATH },
      },
    });
    expect(made.status).toBe(200);
    existing = made.body as LiveDatastore;

    stack = new EngineHarness({
      name: "e2e-example-qualytics",
      program: "examples/qualytics/index.ts",
      projectName: PROJECT,
      stackName: "sandbox",
      endpoints: sandbox.endpoints,
      config: {
        "databricks:host": workspace.host,
        "qualytics:url": `https://${QUALYTICS.host}/api`,
        [`${PROJECT}:httpPath`]: WAREHOUSE_PATH,
        [`${PROJECT}:existingEnrichmentDatastoreId`]: String(existing.id),
        [`${PROJECT}:salesCatalog`]: "main",
        [`${PROJECT}:salesSchema`]: "sales",
        [`${PROJECT}:enrichmentCatalog`]: "quality",
        [`${PROJECT}:enrichmentSchema`]: "enrichment",
        [`${PROJECT}:rawCatalog`]: "main",
        [`${PROJECT}:rawSchema`]: "default",
      },
      secretConfig: { "databricks:token": ADMIN_TOKEN, "qualytics:token": QUALYTICS_TOKEN },
      secrets: [ADMIN_TOKEN, OTHER_TEAM_TOKEN, QUALYTICS_TOKEN],
      sandboxUrls: [...new Set(Object.values(sandbox.endpoints))],
      stop: () => sandbox.close(),
    });
    base = stack.base;
  });
  afterAll(async () => {
    await (stack ? stack.close() : sandbox?.close());
    if (stack) fs.rmSync(stack.stateDir, { recursive: true, force: true });
  });

  test("Pulumi.yaml runs the compiled program, and the README documents every setting the test uses", () => {
    const project = fs.readFileSync(path.join(EXAMPLE_DIR, "Pulumi.yaml"), "utf8");
    expect(project).toMatch(new RegExp(`^name: ${PROJECT}$`, "m"));
    const main = /^main: (.+)$/m.exec(project)?.[1]?.trim();
    expect(path.resolve(EXAMPLE_DIR, main!)).toBe(base.programModule);
    expect(fs.existsSync(base.programModule)).toBe(true);
    const readme = fs.readFileSync(path.join(EXAMPLE_DIR, "README.md"), "utf8");
    for (const key of Object.keys(base.config!)) expect(readme).toContain(`pulumi config set ${key.replace(`${PROJECT}:`, "")} `);
    for (const key of Object.keys(base.secretConfig!)) expect(readme).toContain(`pulumi config set --secret ${key} `);
  });

  test("up links one source to the existing enrichment datastore and one to a new one; preview is quiet; destroy leaves the existing one", async () => {
    const up = await run("up");
    expect(up.changeSummary).toEqual({ create: 5 }); // stack, token, new enrichment datastore, two sources
    expect(up.output).not.toMatch(/has no enrichment datastore/);
    const out = Object.fromEntries(Object.entries(up.outputs!).map(([k, v]) => [k, v.value])) as Record<string, unknown>;
    expect(Object.values(up.outputs!).filter((o) => o.secret)).toEqual([]);

    // What Qualytics itself says: each source is linked where the program said, all connected.
    const sales = await datastore(out.salesDatastoreId as number);
    const raw = await datastore(out.rawDatastoreId as number);
    const created = await datastore(out.enrichmentDatastoreId as number);
    expect(sales).toMatchObject({
      name: "dbx_sales",
      enrichment_only: false,
      database: "main",
      schema: "sales",
      connected: true,
      enrich_datastore: { id: existing.id },
    });
    expect(raw).toMatchObject({
      name: "dbx_raw",
      enrichment_only: false,
      database: "main",
      schema: "default",
      connected: true,
      enrich_datastore: { id: created.id },
    });
    expect(created).toMatchObject({ name: "dbx_enrichment", enrichment_only: true, database: "quality", schema: "enrichment", connected: true });
    expect(created.id).not.toBe(existing.id);
    expect(out).toMatchObject({
      salesEnrichmentDatastoreId: existing.id,
      rawEnrichmentDatastoreId: created.id,
      salesConnected: true,
      rawConnected: true,
      enrichmentConnected: true,
    });
    // The existing datastore was linked, not touched.
    expect(await datastore(existing.id)).toEqual({ ...existing, connected: true });

    expect((await run("preview", { expectNoChanges: true })).changeSummary).toEqual({ same: 5 });
    await run("export"); // the masked export, for the secret audit

    const destroyed = await run("destroy");
    expect(destroyed.changeSummary).toEqual({ delete: 5 });
    // Only the other team's datastore and its connection are left; the stack's token is revoked.
    expect((await qualytics("GET", "/api/datastores?size=100")).body.items).toEqual([]);
    expect((await qualytics("GET", "/api/datastores?size=100&enrichment_only=true")).body.items.map((d: LiveDatastore) => d.id)).toEqual([existing.id]);
    expect(await datastore(existing.id)).toEqual({ ...existing, connected: true });
    expect((await qualytics("GET", "/api/connections")).body.items.map((c: { id: number }) => c.id)).toEqual([existing.connection_id]);
    const tokens = await fetch(`${sandbox.endpoints[workspace.host]}/api/2.0/token/list`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(((await tokens.json()) as { token_infos: { comment: string }[] }).token_infos.map((t) => t.comment)).toEqual(["seed"]);
  });

  test("secret audit: no Databricks or Qualytics token in the exported stack, state, engine output or provider log", async () => {
    const summary = await stack.verifySecrets();
    expect(summary.secrets).toBeGreaterThanOrEqual(4);
    expect(summary.providers).toBeGreaterThan(0);
    expect(summary.missing).toEqual([]);
  });
});
