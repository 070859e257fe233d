import { ADMIN_TOKEN, AWS_HOST } from "../../helpers/databricks-sandbox";
import {
  QUALYTICS_MEMBER_TOKEN,
  WAREHOUSE_PATH,
  databricksConnection,
  datastoreBody,
  startQualyticsTestSandbox,
  type QualyticsHarness,
} from "../../helpers/qualytics-sandbox";

describe("qualytics sandbox: connections", () => {
  let h: QualyticsHarness;
  beforeEach(async () => {
    h = await startQualyticsTestSandbox();
  });
  afterEach(async () => h.close());

  test("create, get and list never show the token", async () => {
    const created = await h.call("POST", "/api/connections", { body: databricksConnection({ name: "shared" }) });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({
      id: expect.any(Number),
      name: "shared",
      type: "databricks",
      connection_type: "JDBC",
      host: AWS_HOST,
      port: 443,
      parameters: { path: WAREHOUSE_PATH },
      created: expect.any(String),
      datastores: [],
    });
    const got = await h.call("GET", `/api/connections/${created.body.id}`);
    expect(got.body).toEqual(created.body);
    const list = await h.call("GET", "/api/connections?name=shared&type=databricks");
    expect(list.body).toEqual({ items: [created.body], total: 1, page: 1, size: 50, pages: 1 });
    expect(JSON.stringify([created.body, got.body, list.body])).not.toContain(ADMIN_TOKEN);
    expect((await h.call("GET", "/api/connections?type=snowflake")).body.total).toBe(0);
  });

  test("a datastore can use a connection created on its own; the connection cannot be deleted while used", async () => {
    const conn = await h.call("POST", "/api/connections", { body: databricksConnection({ name: "shared" }) });
    const store = await h.call("POST", "/api/datastores", { body: { name: "uses_shared", connection_id: conn.body.id, database: "main", schema: "sales" } });
    expect(store.status).toBe(200);
    const refused = await h.call("DELETE", `/api/connections/${conn.body.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain(`${store.body.id} (uses_shared)`);
    await h.call("DELETE", `/api/datastores/${store.body.id}`);
    expect((await h.call("DELETE", `/api/connections/${conn.body.id}`)).status).toBe(204);
    expect((await h.call("GET", `/api/connections/${conn.body.id}`)).status).toBe(404);
    expect((await h.call("DELETE", `/api/connections/${conn.body.id}`)).body).toEqual({ detail: `Connection id: ${conn.body.id} not found` });
  });

  test("PUT changes only the given fields, keeps the token when left out, refuses another connector type", async () => {
    const conn = await h.call("POST", "/api/connections", { body: databricksConnection({ name: "edit_me" }) });
    const renamed = await h.call("PUT", `/api/connections/${conn.body.id}`, {
      body: { ...(await connectionNameAndType(h, conn.body.id)), name: "edited", port: 8443 },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual(expect.objectContaining({ name: "edited", port: 443 + 8000, host: AWS_HOST, parameters: { path: WAREHOUSE_PATH } }));
    // The token was kept: a datastore on this connection still connects.
    const store = await h.call("POST", "/api/datastores", { body: { name: "s", connection_id: conn.body.id, database: "main" } });
    expect(store.status).toBe(200);
    expect(
      (await h.call("PUT", `/api/connections/${conn.body.id}`, { body: { ...(await connectionNameAndType(h, conn.body.id)), type: "snowflake" } })).status,
    ).toBe(422);
    await h.call("POST", "/api/connections", { body: databricksConnection({ name: "other" }) });
    expect(
      (await h.call("PUT", `/api/connections/${conn.body.id}`, { body: { ...(await connectionNameAndType(h, conn.body.id)), name: "other" } })).status,
    ).toBe(409);
    expect((await h.call("POST", "/api/connections", { body: databricksConnection({ name: "other" }) })).status).toBe(409);
    expect((await h.call("PUT", "/api/connections/999", { body: {} })).status).toBe(404);
  });

  test("validation and roles", async () => {
    const missing = await h.call("POST", "/api/connections", { body: { name: "x", type: "databricks" } });
    expect(missing.status).toBe(422);
    expect(missing.body.detail.map((d: { loc: string[] }) => d.loc.join("."))).toEqual(["body.host", "body.password", "body.parameters"]);
    expect((await h.call("POST", "/api/connections", { token: QUALYTICS_MEMBER_TOKEN, body: databricksConnection() })).status).toBe(403);
    expect((await h.call("GET", "/api/connections", { token: QUALYTICS_MEMBER_TOKEN })).status).toBe(200);
  });

  test("catalog and schema discovery read Unity Catalog and name the datastores already there", async () => {
    const store = await h.call("POST", "/api/datastores", { body: datastoreBody("sales_ds") });
    const id = store.body.connection_id;
    const catalogs = await h.call("GET", `/api/connections/${id}/catalogs`);
    expect(catalogs.status).toBe(200);
    expect(catalogs.body).toEqual([{ name: "main", existing_datastores: [{ id: store.body.id, name: "sales_ds" }] }]);
    const schemas = await h.call("GET", `/api/connections/${id}/schemas?catalog=main`);
    expect(schemas.body).toEqual([
      { name: "default", existing_datastores: [] },
      { name: "information_schema", existing_datastores: [] },
      { name: "sales", existing_datastores: [{ id: store.body.id, name: "sales_ds" }] },
    ]);
    const unknown = await h.call("GET", `/api/connections/${id}/schemas?catalog=nope`);
    expect(unknown).toEqual(expect.objectContaining({ status: 400, body: { detail: "Unable to connect: catalog 'nope' not found" } }));
    await h.call("PUT", `/api/connections/${id}`, { body: { ...(await connectionNameAndType(h, id)), password: "revoked-token-value" } });
    const broken = await h.call("GET", `/api/connections/${id}/catalogs`);
    expect(broken).toEqual(expect.objectContaining({ status: 400, body: { detail: `Unable to connect: invalid access token for '${AWS_HOST}'` } }));
  });
});

/** `PUT /connections/{id}` requires `name` and `type` (qualytics-cli sends them from a GET first). */
async function connectionNameAndType(h: { call: (m: string, p: string) => Promise<{ body: any }> }, id: number): Promise<{ name: string; type: string }> {
  const { name, type } = (await h.call("GET", `/api/connections/${id}`)).body;
  return { name, type };
}
