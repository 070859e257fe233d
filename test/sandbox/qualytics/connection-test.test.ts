import { ADMIN_TOKEN, ALICE_TOKEN, AWS_HOST } from "../../helpers/databricks-sandbox";
import {
  CLUSTER_ID,
  CLUSTER_PATH,
  ORG_ID,
  QUALYTICS_MEMBER_TOKEN,
  WAREHOUSE_PATH,
  databricksConnection,
  datastoreBody,
  startQualyticsTestSandbox,
  type QualyticsHarness,
} from "../../helpers/qualytics-sandbox";

/** One reason a Databricks connection test fails, as a create-body change and the expected message. */
interface FailureCase {
  reason: string;
  body: Record<string, unknown>;
  message: string;
}

const failures: FailureCase[] = [
  {
    reason: "unknown host",
    body: { connection: databricksConnection({ host: "dbc-00000000-0000.cloud.databricks.com" }) },
    message: "Unable to connect: unknown host 'dbc-00000000-0000.cloud.databricks.com'",
  },
  {
    reason: "bad token",
    body: { connection: databricksConnection({ password: "not-a-valid-token" }) },
    message: `Unable to connect: invalid access token for '${AWS_HOST}'`,
  },
  {
    reason: "unknown warehouse",
    body: { connection: databricksConnection({ path: "/sql/1.0/warehouses/ffffffffffffffff" }) },
    message: "Unable to connect: SQL warehouse 'ffffffffffffffff' does not exist",
  },
  {
    reason: "unknown cluster",
    body: { connection: databricksConnection({ path: `sql/protocolv1/o/${ORG_ID}/0101-000000-zzzzzzzz` }) },
    message: "Unable to connect: cluster '0101-000000-zzzzzzzz' does not exist",
  },
  {
    reason: "wrong org id",
    body: { connection: databricksConnection({ path: `sql/protocolv1/o/1111111111111111/${CLUSTER_ID}` }) },
    message: `Unable to connect: HTTP path names workspace id '1111111111111111', but '${AWS_HOST}' is workspace id '${ORG_ID}'`,
  },
  {
    reason: "unparseable HTTP path",
    body: { connection: databricksConnection({ path: "/sql/2.0/somewhere" }) },
    message: "Unable to connect: invalid HTTP path '/sql/2.0/somewhere'",
  },
  { reason: "unknown catalog", body: { database: "nope", schema: "sales" }, message: "Unable to connect: catalog 'nope' not found" },
  { reason: "unknown schema", body: { database: "main", schema: "nope" }, message: "Unable to connect: schema 'nope' not found in catalog 'main'" },
];

describe("qualytics sandbox: connection tests decided by the Databricks sandbox", () => {
  let h: QualyticsHarness;
  beforeEach(async () => {
    h = await startQualyticsTestSandbox();
  });
  afterEach(async () => h.close());

  test("the unsaved-payload test: 204 for a good warehouse or cluster connection, with or without catalog and schema", async () => {
    for (const body of [
      datastoreBody("w"),
      datastoreBody("c", { connection: databricksConnection({ path: CLUSTER_PATH, password: ALICE_TOKEN }) }),
      datastoreBody("n", { database: null, schema: null }),
      datastoreBody("i", { schema: "information_schema" }),
    ]) {
      const res = await h.call("POST", "/api/datastores/connection", { body });
      expect({ name: body.name, status: res.status }).toEqual({ name: body.name, status: 204 });
    }
    // Nothing was saved.
    expect((await h.call("GET", "/api/connections")).body.total).toBe(0);
  });

  test.each(failures)("the unsaved-payload test answers 400 {detail} for: $reason", async ({ body, message }) => {
    const res = await h.call("POST", "/api/datastores/connection", { body: datastoreBody("t", body) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: message });
  });

  test.each(failures)("create refuses to save, with the same 400, for: $reason", async ({ body, message }) => {
    const res = await h.call("POST", "/api/datastores", { body: datastoreBody("t", body) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: message });
    expect((await h.call("GET", "/api/datastores")).body.total).toBe(0);
    expect((await h.call("GET", "/api/connections")).body.total).toBe(0);
  });

  test("the unsaved-payload test accepts connection_id, validates like create (422), and needs the Manager role", async () => {
    const store = await h.call("POST", "/api/datastores", { body: datastoreBody("s") });
    const viaId = await h.call("POST", "/api/datastores/connection", {
      body: { name: "probe", connection_id: store.body.connection_id, database: "main", schema: "nope" },
    });
    expect(viaId).toEqual(expect.objectContaining({ status: 400, body: { detail: "Unable to connect: schema 'nope' not found in catalog 'main'" } }));
    expect((await h.call("POST", "/api/datastores/connection", { body: { connection_id: store.body.connection_id } })).status).toBe(422);
    expect((await h.call("POST", "/api/datastores/connection", { token: QUALYTICS_MEMBER_TOKEN, body: datastoreBody("s") })).status).toBe(403);
  });

  /**
   * The saved-datastore test: each reason is produced the way it happens in real life, by a
   * change on the Databricks side or an edit of the saved connection.
   */
  test.each<{ reason: string; breakIt: (h: QualyticsHarness, store: { id: number; connection_id: number }) => Promise<void>; message: string }>([
    {
      reason: "unknown host",
      breakIt: async (hh, s) =>
        void (await hh.call("PUT", `/api/connections/${s.connection_id}`, {
          body: { ...(await connectionNameAndType(hh, s.connection_id)), host: "dbc-gone.cloud.databricks.com" },
        })),
      message: "Unable to connect: unknown host 'dbc-gone.cloud.databricks.com'",
    },
    {
      reason: "revoked token",
      breakIt: async (hh) => {
        const tokens = await hh.databricks.call("GET", "/api/2.0/token/list", { token: ALICE_TOKEN });
        await hh.databricks.call("POST", "/api/2.0/token/delete", { token: ALICE_TOKEN, body: { token_id: tokens.body.token_infos[0].token_id } });
      },
      message: `Unable to connect: invalid access token for '${AWS_HOST}'`,
    },
    {
      reason: "deleted warehouse",
      breakIt: async (hh) => void (await hh.databricks.call("DELETE", "/api/2.0/sql/warehouses/abcdef0123456789")),
      message: "Unable to connect: SQL warehouse 'abcdef0123456789' does not exist",
    },
    {
      reason: "unknown cluster",
      breakIt: async (hh, s) =>
        void (await hh.call("PUT", `/api/connections/${s.connection_id}`, {
          body: { ...(await connectionNameAndType(hh, s.connection_id)), parameters: { path: `sql/protocolv1/o/${ORG_ID}/0101-000000-zzzzzzzz` } },
        })),
      message: "Unable to connect: cluster '0101-000000-zzzzzzzz' does not exist",
    },
    {
      reason: "wrong org id",
      breakIt: async (hh, s) =>
        void (await hh.call("PUT", `/api/connections/${s.connection_id}`, {
          body: { ...(await connectionNameAndType(hh, s.connection_id)), parameters: { path: `sql/protocolv1/o/99/${CLUSTER_ID}` } },
        })),
      message: `Unable to connect: HTTP path names workspace id '99', but '${AWS_HOST}' is workspace id '${ORG_ID}'`,
    },
    {
      reason: "dropped catalog",
      breakIt: async (hh) => void (await hh.databricks.call("DELETE", "/api/2.1/unity-catalog/catalogs/main?force=true")),
      message: "Unable to connect: catalog 'main' not found",
    },
    {
      reason: "dropped schema",
      breakIt: async (hh) => void (await hh.databricks.call("DELETE", "/api/2.1/unity-catalog/schemas/main.sales")),
      message: "Unable to connect: schema 'sales' not found in catalog 'main'",
    },
  ])("a saved datastore's test answers 200 {connected: false, message} and remembers it: $reason", async ({ breakIt, message }) => {
    const created = await h.call("POST", "/api/datastores", { body: datastoreBody("saved", { connection: databricksConnection({ password: ALICE_TOKEN }) }) });
    expect(created.status).toBe(200);
    const ok = await h.call("POST", `/api/datastores/${created.body.id}/connection`);
    expect(ok).toEqual(expect.objectContaining({ status: 200, body: { connected: true } }));

    await breakIt(h, created.body);
    const res = await h.call("POST", `/api/datastores/${created.body.id}/connection`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ connected: false, message });
    expect((await h.call("GET", `/api/datastores/${created.body.id}`)).body.connected).toBe(false);
  });

  test("connected comes back once the cause is fixed; a Databricks outage is its own message", async () => {
    const created = await h.call("POST", "/api/datastores", { body: datastoreBody("flaky") });
    await h.call("PUT", `/api/connections/${created.body.connection_id}`, {
      body: { ...(await connectionNameAndType(h, created.body.connection_id)), password: "revoked-token-value" },
    });
    expect((await h.call("POST", `/api/datastores/${created.body.id}/connection`)).body.connected).toBe(false);
    await h.call("PUT", `/api/connections/${created.body.connection_id}`, {
      body: { ...(await connectionNameAndType(h, created.body.connection_id)), password: ADMIN_TOKEN },
    });
    expect((await h.call("POST", `/api/datastores/${created.body.id}/connection`)).body).toEqual({ connected: true });
    expect((await h.call("GET", `/api/datastores/${created.body.id}`)).body.connected).toBe(true);

    await fetch(`${h.databricks.url()}/__sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ route: "*", kind: "status", status: 503 }),
    });
    const outage = await h.call("POST", `/api/datastores/${created.body.id}/connection`);
    expect(outage.body).toEqual({ connected: false, message: `Unable to connect: '${AWS_HOST}' answered HTTP 503` });
  });

  test("the test really goes over HTTP to the Databricks sandbox (its request log shows the calls)", async () => {
    await h.call("POST", "/api/datastores/connection", { body: datastoreBody("logged") });
    const log = await (await fetch(`${h.databricks.url()}/__sandbox/requests`)).json();
    const paths = (log as { requests: { path: string }[] }).requests.map((r) => r.path);
    expect(paths).toEqual([
      "/api/2.0/token/list",
      `/api/2.0/sql/warehouses/${WAREHOUSE_PATH.split("/").pop()}`,
      "/api/2.1/unity-catalog/catalogs/main",
      "/api/2.1/unity-catalog/schemas/main.sales",
    ]);
  });

  test("stopped or terminated compute still connects (a JDBC connection starts it)", async () => {
    const terminated = `sql/protocolv1/o/${ORG_ID}/0101-000000-bbbbbbbb`;
    const res = await h.call("POST", "/api/datastores/connection", { body: datastoreBody("t", { connection: databricksConnection({ path: terminated }) }) });
    expect(res.status).toBe(204);
  });
});

/** `PUT /connections/{id}` requires `name` and `type` (qualytics-cli sends them from a GET first). */
async function connectionNameAndType(h: { call: (m: string, p: string) => Promise<{ body: any }> }, id: number): Promise<{ name: string; type: string }> {
  const { name, type } = (await h.call("GET", `/api/connections/${id}`)).body;
  return { name, type };
}
