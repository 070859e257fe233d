import { ALICE_TOKEN, startTestSandbox, testSeed, type SandboxHarness } from "../../helpers/databricks-sandbox";

const UC = "/api/2.1/unity-catalog";
const names = (items: { name: string }[] | undefined) => (items ?? []).map((i) => i.name);

describe("databricks sandbox: Unity Catalog", () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await startTestSandbox();
  });
  afterEach(async () => h.close());

  test("the seeded catalog and its schemas are listed in the real shapes", async () => {
    const catalogs = await h.call("GET", `${UC}/catalogs`);
    expect(catalogs.status).toBe(200);
    expect(catalogs.body.catalogs).toEqual([
      expect.objectContaining({
        name: "main",
        full_name: "main",
        owner: "admin@example.com",
        catalog_type: "MANAGED_CATALOG",
        metastore_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        created_at: expect.any(Number),
      }),
    ]);
    const schemas = await h.call("GET", `${UC}/schemas?catalog_name=main`);
    expect(names(schemas.body.schemas)).toEqual(["default", "information_schema", "sales"]);
    expect(schemas.body.schemas.find((s: { name: string }) => s.name === "sales")).toMatchObject({
      full_name: "main.sales",
      catalog_name: "main",
      owner: "admin@example.com",
    });
    // A workspace seeded without catalogs answers {} (Databricks omits empty lists).
    expect((await h.call("GET", `${UC}/catalogs`, { token: "sandbox-admin-token-azure", host: "adb-1234567890123456.7.azuredatabricks.net" })).body).toEqual(
      {},
    );
  });

  test("schemas list needs catalog_name; unknown catalogs and schemas are 404 with UC's codes", async () => {
    const noParam = await h.call("GET", `${UC}/schemas`);
    expect(noParam.status).toBe(400);
    expect(noParam.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    const noCatalog = await h.call("GET", `${UC}/schemas?catalog_name=nope`);
    expect(noCatalog.status).toBe(404);
    expect(noCatalog.body).toEqual({ error_code: "CATALOG_DOES_NOT_EXIST", message: "Catalog 'nope' does not exist." });
    expect((await h.call("GET", `${UC}/catalogs/nope`)).body.error_code).toBe("CATALOG_DOES_NOT_EXIST");
    const noSchema = await h.call("GET", `${UC}/schemas/main.nope`);
    expect(noSchema.status).toBe(404);
    expect(noSchema.body).toEqual({ error_code: "SCHEMA_DOES_NOT_EXIST", message: "Schema 'main.nope' does not exist." });
    expect((await h.call("GET", `${UC}/schemas/nope.default`)).body.error_code).toBe("CATALOG_DOES_NOT_EXIST");
    expect((await h.call("GET", `${UC}/schemas/main.sales`)).body.full_name).toBe("main.sales");
  });

  test("create catalog: lower-cased name, default and information_schema created, duplicates 409", async () => {
    const created = await h.call("POST", `${UC}/catalogs`, { body: { name: "Analytics", comment: "team data" } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ name: "analytics", comment: "team data", owner: "admin@example.com", created_by: "admin@example.com" });
    expect(names((await h.call("GET", `${UC}/schemas?catalog_name=analytics`)).body.schemas)).toEqual(["default", "information_schema"]);
    const dup = await h.call("POST", `${UC}/catalogs`, { body: { name: "analytics" } });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ error_code: "CATALOG_ALREADY_EXISTS", message: "Catalog 'analytics' already exists" });
    expect((await h.call("GET", `${UC}/catalogs/ANALYTICS`)).body.name).toBe("analytics");
  });

  test("only admins create catalogs; only owners change them", async () => {
    const denied = await h.call("POST", `${UC}/catalogs`, { token: ALICE_TOKEN, body: { name: "mine" } });
    expect(denied.status).toBe(403);
    expect(denied.body.error_code).toBe("PERMISSION_DENIED");
    expect((await h.call("PATCH", `${UC}/catalogs/main`, { token: ALICE_TOKEN, body: { comment: "x" } })).status).toBe(403);
    expect((await h.call("DELETE", `${UC}/catalogs/main?force=true`, { token: ALICE_TOKEN })).status).toBe(403);
    // Handing ownership over lets the new owner manage it.
    await h.call("PATCH", `${UC}/catalogs/main`, { body: { owner: "alice@example.com" } });
    expect((await h.call("POST", `${UC}/schemas`, { token: ALICE_TOKEN, body: { name: "alice_s", catalog_name: "main" } })).status).toBe(200);
  });

  test("update catalog: comment, properties and rename (schemas follow)", async () => {
    const updated = await h.call("PATCH", `${UC}/catalogs/main`, { body: { comment: "prod", properties: { team: "data" } } });
    expect(updated.body).toMatchObject({ name: "main", comment: "prod", properties: { team: "data" }, updated_by: "admin@example.com" });
    const renamed = await h.call("PATCH", `${UC}/catalogs/main`, { body: { new_name: "prod" } });
    expect(renamed.body.name).toBe("prod");
    expect((await h.call("GET", `${UC}/catalogs/main`)).status).toBe(404);
    expect((await h.call("GET", `${UC}/schemas/prod.sales`)).body.full_name).toBe("prod.sales");
  });

  test("delete catalog: non-empty needs force=true (400 CATALOG_NOT_EMPTY); empty ones go without", async () => {
    const refused = await h.call("DELETE", `${UC}/catalogs/main`);
    expect(refused.status).toBe(400);
    expect(refused.body.error_code).toBe("CATALOG_NOT_EMPTY");
    expect((await h.call("DELETE", `${UC}/catalogs/main?force=true`)).status).toBe(200);
    expect((await h.call("GET", `${UC}/catalogs/main`)).status).toBe(404);
    expect((await h.call("GET", `${UC}/schemas/main.sales`)).status).toBe(404);
    await h.call("POST", `${UC}/catalogs`, { body: { name: "scratch" } });
    expect((await h.call("DELETE", `${UC}/catalogs/scratch`)).status).toBe(200);
    expect((await h.call("DELETE", `${UC}/catalogs/scratch`)).body.error_code).toBe("CATALOG_DOES_NOT_EXIST");
  });

  test("schemas: create, duplicate 409, missing catalog 404, update, delete", async () => {
    const created = await h.call("POST", `${UC}/schemas`, { body: { name: "Raw", catalog_name: "main", comment: "landing" } });
    expect(created.body).toMatchObject({ name: "raw", catalog_name: "main", full_name: "main.raw", comment: "landing", owner: "admin@example.com" });
    const dup = await h.call("POST", `${UC}/schemas`, { body: { name: "raw", catalog_name: "main" } });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ error_code: "SCHEMA_ALREADY_EXISTS", message: "Schema 'main.raw' already exists" });
    expect((await h.call("POST", `${UC}/schemas`, { body: { name: "x", catalog_name: "ghost" } })).status).toBe(404);
    const missing = await h.call("POST", `${UC}/schemas`, { body: { catalog_name: "main" } });
    expect(missing.body).toEqual({ error_code: "INVALID_PARAMETER_VALUE", message: "Missing required field: name" });
    expect((await h.call("PATCH", `${UC}/schemas/main.raw`, { body: { comment: "bronze" } })).body.comment).toBe("bronze");
    expect((await h.call("DELETE", `${UC}/schemas/main.raw`)).status).toBe(200);
    expect((await h.call("GET", `${UC}/schemas/main.raw`)).status).toBe(404);
    expect((await h.call("DELETE", `${UC}/schemas/main.information_schema`)).status).toBe(400);
  });

  test("volumes: create, list, get, and a schema with volumes needs force to delete", async () => {
    const created = await h.call("POST", `${UC}/volumes`, { body: { catalog_name: "main", schema_name: "sales", name: "Landing", volume_type: "MANAGED" } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      name: "landing",
      full_name: "main.sales.landing",
      volume_type: "MANAGED",
      volume_id: expect.any(String),
      storage_location: expect.stringMatching(/^s3:\/\//),
    });
    expect(
      (await h.call("POST", `${UC}/volumes`, { body: { catalog_name: "main", schema_name: "sales", name: "landing", volume_type: "MANAGED" } })).status,
    ).toBe(409);
    expect((await h.call("POST", `${UC}/volumes`, { body: { catalog_name: "main", schema_name: "sales", name: "ext", volume_type: "EXTERNAL" } })).status).toBe(
      400,
    );
    expect(names((await h.call("GET", `${UC}/volumes?catalog_name=main&schema_name=sales`)).body.volumes)).toEqual(["landing"]);
    expect((await h.call("GET", `${UC}/volumes?catalog_name=main&schema_name=default`)).body).toEqual({});
    expect((await h.call("GET", `${UC}/volumes/main.sales.landing`)).body.volume_id).toBe(created.body.volume_id);
    expect((await h.call("GET", `${UC}/volumes/main.sales.nope`)).status).toBe(404);

    const refused = await h.call("DELETE", `${UC}/schemas/main.sales`);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error_code: "SCHEMA_NOT_EMPTY",
      message: "Schema 'main.sales' is not empty. The schema has 0 tables(s), 0 functions(s), 1 volumes(s)",
    });
    expect((await h.call("DELETE", `${UC}/volumes/main.sales.landing`)).status).toBe(200);
    expect((await h.call("DELETE", `${UC}/schemas/main.sales`)).status).toBe(200);
  });

  test("catalogs and schemas survive a restart with the same state dir", async () => {
    await h.call("POST", `${UC}/catalogs`, { body: { name: "durable" } });
    await h.close();
    h = await startTestSandbox({ stateDir: h.stateDir, seed: testSeed() });
    expect(names((await h.call("GET", `${UC}/catalogs`)).body.catalogs)).toEqual(["durable", "main"]);
  });
});
