import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startSandbox } from "../../../sandbox";
import { readSeed } from "../../../scripts/lib/platform-config";
import { ADMIN_TOKEN, AWS_HOST, testSeed } from "../../helpers/databricks-sandbox";
import {
  QUALYTICS_ADMIN_TOKEN,
  QUALYTICS_HOST,
  databricksConnection,
  datastoreBody,
  qualyticsTestSeed,
  startQualyticsTestSandbox,
  type QualyticsHarness,
} from "../../helpers/qualytics-sandbox";

describe("qualytics sandbox: persistence", () => {
  let h: QualyticsHarness;
  beforeEach(async () => {
    h = await startQualyticsTestSandbox();
  });
  afterEach(async () => h.close());

  test("datastores, connections, links and the last test outcome survive a restart; ids keep counting", async () => {
    const source = await h.call("POST", "/api/datastores", { body: datastoreBody("durable", { tags: ["keep"] }) });
    const enrich = await h.call("POST", "/api/datastores", { body: datastoreBody("durable_enrich", { enrichment_only: true }) });
    await h.call("PATCH", `/api/datastores/${source.body.id}/enrichment/${enrich.body.id}`);
    await h.call("PUT", `/api/connections/${source.body.connection_id}`, {
      body: { ...(await connectionNameAndType(h, source.body.connection_id)), password: "revoked-token-value" },
    });
    await h.call("POST", `/api/datastores/${source.body.id}/connection`);
    const before = (await h.call("GET", `/api/datastores/${source.body.id}`)).body;
    expect(before.connected).toBe(false);

    await h.restart();

    const after = await h.call("GET", `/api/datastores/${source.body.id}`);
    expect(after.status).toBe(200);
    expect(after.body).toEqual(before);
    // The stored token survived too: the test still fails for the same reason.
    expect((await h.call("POST", `/api/datastores/${source.body.id}/connection`)).body.message).toContain("invalid access token");
    const next = await h.call("POST", "/api/datastores", { body: datastoreBody("after_restart") });
    expect(next.body.id).toBe(enrich.body.id + 1);
    expect((await h.call("GET", "/api/datastores")).body.total).toBe(2);
  });
});

describe("qualytics sandbox: seeding and startSandbox", () => {
  test("seeded datastores exist from the start, with shared connections and enrichment links, and are seeded once", async () => {
    const seed = qualyticsTestSeed();
    seed.instances![0]!.datastores = [
      { name: "seeded_enrich", enrichment_only: true, database: "main", schema: "default", connection: databricksConnection({ name: "seeded_conn" }) },
      {
        name: "seeded_source",
        database: "main",
        schema: "sales",
        tags: ["pii"],
        connection: databricksConnection({ name: "seeded_conn" }),
        enrich_datastore: "seeded_enrich",
      },
    ];
    const h = await startQualyticsTestSandbox({ seed });
    try {
      const list = await h.call("GET", "/api/datastores");
      expect(list.body.items).toEqual([
        expect.objectContaining({ name: "seeded_source", connected: true, enrich_datastore: expect.objectContaining({ name: "seeded_enrich" }) }),
      ]);
      expect((await h.call("GET", "/api/connections")).body.total).toBe(1);
      await h.call("DELETE", `/api/datastores/${list.body.items[0].id}`);
      await h.restart();
      expect((await h.call("GET", "/api/datastores")).body.total).toBe(0);
    } finally {
      await h.close();
    }
  });

  test("a bad seed fails startup loudly", async () => {
    const seed = qualyticsTestSeed();
    seed.instances![0]!.datastores = [{ name: "x", connection_id: 42 }];
    await expect(startQualyticsTestSandbox({ seed })).rejects.toThrow("datastore 'x': Connection id: 42 not found");
  });

  test("startSandbox starts Qualytics after Databricks, wires them, and merges the endpoints", async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pdi-sandbox-"));
    const sandbox = await startSandbox({ config: { timeScale: 0.001, databricks: testSeed(), qualytics: qualyticsTestSeed() }, stateDir });
    try {
      expect(Object.keys(sandbox.endpoints).sort()).toEqual([QUALYTICS_HOST, AWS_HOST, "adb-1234567890123456.7.azuredatabricks.net"].sort());
      const res = await fetch(`${sandbox.endpoints[QUALYTICS_HOST]}/api/datastores`, {
        method: "POST",
        headers: { authorization: `Bearer ${QUALYTICS_ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ ...datastoreBody("wired"), connection: databricksConnection({ password: ADMIN_TOKEN }) }),
      });
      expect(res.status).toBe(200);
      expect(fs.existsSync(path.join(stateDir, "qualytics.json"))).toBe(true);
    } finally {
      await sandbox.close();
    }
  });

  test("the default seed file has a Qualytics deployment with no datastores", async () => {
    const seedFile = readSeed(path.join(__dirname, "../../..")) as any;
    const sandbox = await startSandbox({ configFile: path.join(__dirname, "../../../sandbox/seed.json") });
    try {
      const url = sandbox.endpoints["acme.qualytics.io"];
      expect(url).toBeDefined();
      const res = await fetch(`${url}/api/datastores`, { headers: { authorization: `Bearer ${seedFile.qualytics.instances[0].users[0].tokens[0].value}` } });
      expect(await res.json()).toEqual({ items: [], total: 0, page: 1, size: 50, pages: 0 });
    } finally {
      await sandbox.close();
    }
  });
});

/** `PUT /connections/{id}` requires `name` and `type` (qualytics-cli sends them from a GET first). */
async function connectionNameAndType(h: { call: (m: string, p: string) => Promise<{ body: any }> }, id: number): Promise<{ name: string; type: string }> {
  const { name, type } = (await h.call("GET", `/api/connections/${id}`)).body;
  return { name, type };
}
