import { ALICE_TOKEN, AWS_HOST, eventually, freezeSandboxClock, startTestSandbox, testSeed, type SandboxHarness } from "../../helpers/databricks-sandbox";

const BASE = "/api/2.0/sql/warehouses";
const SEEDED = "abcdef0123456789";

describe("databricks sandbox: SQL warehouses", () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await startTestSandbox();
  });
  afterEach(async () => h.close());

  const stateOf = async (id: string) => (await h.call("GET", `${BASE}/${id}`)).body.state as string;

  test("the seeded warehouse is listed and readable with its connection details", async () => {
    const listed = await h.call("GET", BASE);
    expect(listed.status).toBe(200);
    expect(listed.body.warehouses).toHaveLength(1);
    const got = await h.call("GET", `${BASE}/${SEEDED}`);
    expect(got.body).toMatchObject({
      id: SEEDED,
      name: "Starter Warehouse",
      state: "RUNNING",
      cluster_size: "Small",
      creator_name: "admin@example.com",
      warehouse_type: "CLASSIC",
      odbc_params: { hostname: AWS_HOST, path: `/sql/1.0/warehouses/${SEEDED}`, port: 443, protocol: "https" },
      jdbc_url: `jdbc:spark://${AWS_HOST}:443/default;transportMode=http;ssl=1;AuthMech=3;httpPath=/sql/1.0/warehouses/${SEEDED};`,
    });
    expect(listed.body.warehouses[0]).toEqual(got.body);
  });

  test("an unknown id is 404 RESOURCE_DOES_NOT_EXIST", async () => {
    const res = await h.call("GET", `${BASE}/0000000000000000`);
    expect(res.status).toBe(404);
    expect(res.body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect((await h.call("POST", `${BASE}/0000000000000000/start`)).status).toBe(404);
  });

  test("stop goes STOPPING then STOPPED; start goes STARTING then RUNNING (scaled time)", async () => {
    const clock = freezeSandboxClock(h);
    expect((await h.call("POST", `${BASE}/${SEEDED}/stop`)).body).toEqual({});
    expect(await stateOf(SEEDED)).toBe("STOPPING");
    clock.advanceReal(30_000);
    expect(await stateOf(SEEDED)).toBe("STOPPED");
    expect((await h.call("GET", `${BASE}/${SEEDED}`)).body.num_clusters).toBe(0);
    await h.call("POST", `${BASE}/${SEEDED}/start`);
    expect(await stateOf(SEEDED)).toBe("STARTING");
    clock.advanceReal(60_000);
    expect(await stateOf(SEEDED)).toBe("STARTING");
    clock.advanceReal(60_000);
    expect(await stateOf(SEEDED)).toBe("RUNNING");
    // Start on a running warehouse is a no-op.
    await h.call("POST", `${BASE}/${SEEDED}/start`);
    expect(await stateOf(SEEDED)).toBe("RUNNING");
  });

  test("create (admins only) returns the id and the warehouse starts; delete removes it from the list", async () => {
    const denied = await h.call("POST", BASE, { token: ALICE_TOKEN, body: { name: "mine", cluster_size: "X-Small" } });
    expect(denied.status).toBe(403);
    const bad = await h.call("POST", BASE, { body: { name: "bad", cluster_size: "Huge" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe("INVALID_PARAMETER_VALUE");

    const created = await h.call("POST", BASE, { body: { name: "ETL", cluster_size: "X-Small", auto_stop_mins: 15 } });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ id: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const id = created.body.id;
    expect(await stateOf(id)).toBe("STARTING");
    await eventually(async () => (await stateOf(id)) === "RUNNING");
    expect((await h.call("GET", `${BASE}/${id}`)).body).toMatchObject({
      name: "ETL",
      cluster_size: "X-Small",
      auto_stop_mins: 15,
      creator_name: "admin@example.com",
    });

    expect((await h.call("DELETE", `${BASE}/${id}`)).status).toBe(200);
    await eventually(async () => (await stateOf(id)) === "DELETED");
    const ids = ((await h.call("GET", BASE)).body.warehouses as { id: string }[]).map((w) => w.id);
    expect(ids).toEqual([SEEDED]);
    expect((await h.call("POST", `${BASE}/${id}/start`)).body.error_code).toBe("INVALID_STATE");
  });

  test("a transition in progress continues across a restart", async () => {
    await h.call("POST", `${BASE}/${SEEDED}/stop`);
    await h.close();
    h = await startTestSandbox({ stateDir: h.stateDir, seed: testSeed() });
    await eventually(async () => (await stateOf(SEEDED)) === "STOPPED");
  });
});
