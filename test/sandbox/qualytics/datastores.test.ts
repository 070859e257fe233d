import { AWS_HOST } from "../../helpers/databricks-sandbox";
import {
  QUALYTICS_MANAGER_TOKEN,
  QUALYTICS_MEMBER_TOKEN,
  WAREHOUSE_PATH,
  datastoreBody,
  startQualyticsTestSandbox,
  type QualyticsHarness,
} from "../../helpers/qualytics-sandbox";

describe("qualytics sandbox: datastores", () => {
  let h: QualyticsHarness;
  beforeEach(async () => {
    h = await startQualyticsTestSandbox();
  });
  afterEach(async () => h.close());

  const create = (name: string, overrides: Record<string, unknown> = {}) => h.call("POST", "/api/datastores", { body: datastoreBody(name, overrides) });

  test("create with an inline connection: 200, the reference's fields, a new connection, never the token", async () => {
    const res = await create("dbx_sales", { description: "sales", tags: ["prod", "prod", "finance"] });
    expect(res.status).toBe(200);
    const store = res.body;
    expect(store).toEqual(
      expect.objectContaining({
        id: expect.any(Number),
        created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        name: "dbx_sales",
        description: "sales",
        store_type: "jdbc",
        type: "databricks",
        connected: true,
        connection_id: expect.any(Number),
        host: AWS_HOST,
        port: 443,
        parameters: { path: WAREHOUSE_PATH },
        database: "main",
        schema: "sales",
        enrichment_only: false,
        enrichment_prefix: "_dbx_sales",
        enrichment_source_record_limit: 10,
        enrichment_remediation_strategy: "none",
        high_count_rollup_threshold: 10,
        enrich_datastore: null,
        teams: [{ id: 1, name: "Public" }],
        global_tags: [{ name: "prod" }, { name: "finance" }],
        latest_operation: null,
      }),
    );
    // The `cli` dialect (acme): `connection_id` only; the `guide` dialect's stub is tested in dialects.test.ts.
    expect(store.connection).toBeUndefined();
    expect(JSON.stringify(store)).not.toContain("password");

    const conn = await h.call("GET", `/api/connections/${store.connection_id}`);
    expect(conn.status).toBe(200);
    expect(conn.body).toEqual(expect.objectContaining({ name: "dbx_sales_conn", host: AWS_HOST, datastores: [{ id: store.id, name: "dbx_sales" }] }));
    expect(JSON.stringify(conn.body)).not.toMatch(/password|sandbox-admin-token/);

    const got = await h.call("GET", `/api/datastores/${store.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(store);
  });

  test("create with connection_id reuses the connection; teams default to the first team; unknown team is 404", async () => {
    const first = await create("a");
    const second = await h.call("POST", "/api/datastores", {
      body: { name: "b", connection_id: first.body.connection_id, database: "main", schema: "default" },
    });
    expect(second.status).toBe(200);
    expect(second.body.connection_id).toBe(first.body.connection_id);
    expect(second.body.teams).toEqual([{ id: 1, name: "Public" }]);
    const conn = await h.call("GET", `/api/connections/${first.body.connection_id}`);
    expect(conn.body.datastores.map((d: { name: string }) => d.name)).toEqual(["a", "b"]);

    const unknownConn = await h.call("POST", "/api/datastores", { body: { name: "c", connection_id: 999 } });
    expect(unknownConn.status).toBe(404);
    expect(unknownConn.body).toEqual({ detail: "Connection id: 999 not found" });
    const unknownTeam = await create("d", { teams: ["Nobody"] });
    expect(unknownTeam.status).toBe(404);
    expect(unknownTeam.body.detail).toContain("Nobody");
  });

  test("the enrichment prefix is normalized to snake_case with a leading underscore", async () => {
    expect((await create("Analytics Bronze")).body.enrichment_prefix).toBe("_analytics_bronze");
    expect((await create("x1", { enrichment_prefix: "My Prefix" })).body.enrichment_prefix).toBe("_my_prefix");
  });

  test("duplicate datastore names and duplicate connection names are 409; nothing is left behind", async () => {
    await create("dup");
    const again = await h.call("POST", "/api/datastores", {
      body: datastoreBody("dup", { connection: { ...datastoreBody("x").connection, name: "other_conn" } }),
    });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ detail: "A datastore named 'dup' already exists" });
    const connClash = await create("fresh", { connection: datastoreBody("dup").connection });
    expect(connClash.status).toBe(409);
    expect(connClash.body.detail).toBe("A connection named 'dup_conn' already exists");
    const list = await h.call("GET", "/api/connections");
    expect(list.body.total).toBe(1);
  });

  test("422 in FastAPI's shape: missing fields, bad values, both or neither connection, bad JSON, no body, bad path id", async () => {
    const missing = await h.call("POST", "/api/datastores", { body: { connection_id: 1 } });
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual({ detail: [{ type: "missing", loc: ["body", "name"], msg: "Field required", input: { connection_id: 1 } }] });

    const bad = await create("bad", { enrichment_remediation_strategy: "sometimes", enrichment_source_record_limit: 0, name: "x".repeat(256) });
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: "literal_error",
          loc: ["body", "enrichment_remediation_strategy"],
          msg: "Input should be 'none', 'append' or 'overwrite'",
        }),
        expect.objectContaining({ type: "greater_than_equal", loc: ["body", "enrichment_source_record_limit"] }),
        expect.objectContaining({ type: "string_too_long", loc: ["body", "name"], msg: "String should have at most 255 characters" }),
      ]),
    );

    const wrongType = await create("wt", { connection: { ...datastoreBody("x").connection, type: "snowflake", parameters: { path: 5 } } });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.detail).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "literal_error", loc: ["body", "connection", "type"], input: "snowflake" }),
        expect.objectContaining({ type: "string_type", loc: ["body", "connection", "parameters", "path"], msg: "Input should be a valid string" }),
      ]),
    );

    const both = await create("both", { connection_id: 1 });
    expect(both.status).toBe(422);
    expect(both.body.detail[0]).toEqual(expect.objectContaining({ type: "value_error", loc: ["body"], msg: expect.stringMatching(/^Value error, /) }));
    const neither = await h.call("POST", "/api/datastores", { body: { name: "neither" } });
    expect(neither.status).toBe(422);

    const json = await h.call("POST", "/api/datastores", { rawBody: "{not json" });
    expect(json.status).toBe(422);
    expect(json.body.detail[0]).toEqual(expect.objectContaining({ type: "json_invalid", loc: ["body", expect.any(Number)], msg: "JSON decode error" }));

    const noBody = await h.call("POST", "/api/datastores");
    expect(noBody.status).toBe(422);
    expect(noBody.body).toEqual({ detail: [{ type: "missing", loc: ["body"], msg: "Field required", input: null }] });

    const path = await h.call("GET", "/api/datastores/abc");
    expect(path.status).toBe(422);
    expect(path.body.detail[0]).toEqual(expect.objectContaining({ type: "int_parsing", loc: ["path", "datastore_id"], input: "abc" }));
  });

  test("unknown ids are 404 with the real wording; unknown routes are FastAPI's 404", async () => {
    expect(await h.call("GET", "/api/datastores/999")).toEqual(expect.objectContaining({ status: 404, body: { detail: "Datastore id: 999 not found" } }));
    expect((await h.call("DELETE", "/api/datastores/999")).status).toBe(404);
    expect((await h.call("PUT", "/api/datastores/999", { body: { name: "x" } })).status).toBe(404);
    const route = await h.call("GET", "/api/nope", { token: null });
    expect(route).toEqual(expect.objectContaining({ status: 404, body: { detail: "Not Found" } }));
  });

  test("list: enrichment stores are hidden by default; filters; pagination", async () => {
    for (const name of ["alpha", "beta", "gamma"]) await create(name, { tags: name === "beta" ? ["pii"] : [] });
    await create("enrich", { enrichment_only: true, schema: "default" });

    const all = await h.call("GET", "/api/datastores");
    expect(all.body).toEqual(expect.objectContaining({ total: 3, page: 1, size: 50, pages: 1 }));
    expect(all.body.items.map((d: { name: string }) => d.name)).toEqual(["alpha", "beta", "gamma"]);

    const enrichment = await h.call("GET", "/api/datastores?enrichment_only=true");
    expect(enrichment.body.items.map((d: { name: string }) => d.name)).toEqual(["enrich"]);

    expect((await h.call("GET", "/api/datastores?name=beta")).body.items.map((d: { name: string }) => d.name)).toEqual(["beta"]);
    expect((await h.call("GET", "/api/datastores?name=bet")).body.total).toBe(0);
    expect((await h.call("GET", "/api/datastores?search=AM")).body.items.map((d: { name: string }) => d.name)).toEqual(["gamma"]);
    expect((await h.call("GET", "/api/datastores?tag=pii&tag=other")).body.items.map((d: { name: string }) => d.name)).toEqual(["beta"]);
    expect((await h.call("GET", "/api/datastores?datastore_type=databricks")).body.total).toBe(3);
    expect((await h.call("GET", "/api/datastores?datastore_type=snowflake")).body.total).toBe(0);
    expect((await h.call("GET", "/api/datastores?sort_name=desc")).body.items.map((d: { name: string }) => d.name)).toEqual(["gamma", "beta", "alpha"]);

    const page2 = await h.call("GET", "/api/datastores?page=2&size=2");
    expect(page2.body).toEqual(expect.objectContaining({ total: 3, page: 2, size: 2, pages: 2 }));
    expect(page2.body.items.map((d: { name: string }) => d.name)).toEqual(["gamma"]);
    const beyond = await h.call("GET", "/api/datastores?page=5&size=2");
    expect(beyond.body).toEqual(expect.objectContaining({ items: [], total: 3, page: 5 }));

    const tooBig = await h.call("GET", "/api/datastores?size=101&page=0&enrichment_only=maybe");
    expect(tooBig.status).toBe(422);
    expect(tooBig.body.detail.map((d: { loc: string[]; type: string }) => [d.loc.join("."), d.type])).toEqual(
      expect.arrayContaining([
        ["query.size", "less_than_equal"],
        ["query.page", "greater_than_equal"],
        ["query.enrichment_only", "bool_parsing"],
      ]),
    );
  });

  test("PUT has partial semantics: given fields replace, left-out ones keep their values", async () => {
    const created = await create("full", {
      description: "d",
      tags: ["t"],
      teams: ["Data Engineering"],
      enrichment_source_record_limit: 100,
      enrichment_remediation_strategy: "append",
      enrichment_prefix: "custom",
    });
    const id = created.body.id;
    const put = await h.call("PUT", `/api/datastores/${id}`, {
      body: { name: "full_renamed", high_count_rollup_threshold: 50, enrichment_prefix: "Analytics Bronze" },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual(
      expect.objectContaining({
        id,
        name: "full_renamed",
        description: "d",
        global_tags: [{ name: "t" }],
        teams: [{ id: 2, name: "Data Engineering" }],
        enrichment_source_record_limit: 100,
        enrichment_remediation_strategy: "append",
        enrichment_prefix: "_analytics_bronze",
        high_count_rollup_threshold: 50,
        database: "main",
        schema: "sales",
        connected: true,
        connection_id: created.body.connection_id,
      }),
    );
    expect(put.body.created).toBe(created.body.created);
    expect((await h.call("GET", `/api/datastores/${id}`)).body).toEqual(put.body);

    // A GET, merged and sent back (qualytics-cli's update), changes nothing.
    const merged = { ...put.body, teams: ["Data Engineering"], tags: ["t"] };
    const again = await h.call("PUT", `/api/datastores/${id}`, { body: merged });
    expect(again.status).toBe(200);
    expect({ ...again.body, updated: undefined }).toEqual({ ...put.body, updated: undefined });

    // An empty body changes nothing; an explicit null description clears it.
    expect((await h.call("PUT", `/api/datastores/${id}`, { body: {} })).body).toEqual(expect.objectContaining({ name: "full_renamed", description: "d" }));
    expect((await h.call("PUT", `/api/datastores/${id}`, { body: { description: null } })).body.description).toBeNull();
  });

  test("PUT: an empty name is 422, name clash 409, enrichment_only cannot flip (409), moved datastores are retested", async () => {
    const a = await create("a");
    await create("b");
    expect((await h.call("PUT", `/api/datastores/${a.body.id}`, { body: { name: "" } })).status).toBe(422);
    const clash = await h.call("PUT", `/api/datastores/${a.body.id}`, { body: { name: "b" } });
    expect(clash.status).toBe(409);
    const flip = await h.call("PUT", `/api/datastores/${a.body.id}`, { body: { name: "a", enrichment_only: true } });
    expect(flip.status).toBe(409);
    const badSchema = await h.call("PUT", `/api/datastores/${a.body.id}`, { body: { name: "a", database: "main", schema: "nope" } });
    expect(badSchema.status).toBe(400);
    expect(badSchema.body).toEqual({ detail: "Unable to connect: schema 'nope' not found in catalog 'main'" });
    expect((await h.call("GET", `/api/datastores/${a.body.id}`)).body.schema).toBe("sales");
    const moved = await h.call("PUT", `/api/datastores/${a.body.id}`, { body: { name: "a", database: "main", schema: "default" } });
    expect(moved.status).toBe(200);
    expect(moved.body.schema).toBe("default");
  });

  test("delete is 204 and keeps the connection; the connection can then be deleted", async () => {
    const created = await create("gone");
    const del = await h.call("DELETE", `/api/datastores/${created.body.id}`);
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();
    expect((await h.call("GET", `/api/datastores/${created.body.id}`)).status).toBe(404);
    const conn = await h.call("GET", `/api/connections/${created.body.connection_id}`);
    expect(conn.status).toBe(200);
    expect(conn.body.datastores).toEqual([]);
    expect((await h.call("DELETE", `/api/connections/${created.body.connection_id}`)).status).toBe(204);
  });

  test("roles: a Member cannot create, a Manager cannot delete (403 {detail})", async () => {
    const asMember = await h.call("POST", "/api/datastores", { token: QUALYTICS_MEMBER_TOKEN, body: datastoreBody("m") });
    expect(asMember.status).toBe(403);
    expect(asMember.body).toEqual({ detail: expect.stringContaining("Manager") });
    const asManager = await h.call("POST", "/api/datastores", { token: QUALYTICS_MANAGER_TOKEN, body: datastoreBody("m") });
    expect(asManager.status).toBe(200);
    const del = await h.call("DELETE", `/api/datastores/${asManager.body.id}`, { token: QUALYTICS_MANAGER_TOKEN });
    expect(del.status).toBe(403);
    expect((await h.call("GET", `/api/datastores/${asManager.body.id}`, { token: QUALYTICS_MEMBER_TOKEN })).status).toBe(200);
  });
});
