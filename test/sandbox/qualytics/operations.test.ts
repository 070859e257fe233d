import { datastoreBody, eventually, freezeQualyticsClock, startQualyticsTestSandbox, type QualyticsHarness } from "../../helpers/qualytics-sandbox";

/** A sync takes about a minute of real time. */
const SYNC_MS = 60_000;

describe("qualytics sandbox: sync operations", () => {
  let h: QualyticsHarness;
  beforeEach(async () => {
    h = await startQualyticsTestSandbox();
  });
  afterEach(async () => h.close());

  const finished = (id: number) =>
    eventually(async () => {
      const op = await h.call("GET", `/api/operations/${id}`);
      return op.body.result === "success" ? op.body : undefined;
    }, 5000);

  test("trigger_sync on create starts a sync that runs, then succeeds; latest_operation follows it", async () => {
    const clock = freezeQualyticsClock(h);
    const created = await h.call("POST", "/api/datastores", { body: datastoreBody("synced", { trigger_sync: true }) });
    const op = created.body.latest_operation;
    expect(op).toEqual(
      expect.objectContaining({
        id: expect.any(Number),
        type: "sync",
        datastore_id: created.body.id,
        datastore: { id: created.body.id, name: "synced" },
        start_time: expect.any(String),
        end_time: null,
        result: "running",
        message: null,
        status: { total_containers: 0, containers_analyzed: 0, records_processed: 0 },
      }),
    );
    clock.advanceReal(SYNC_MS - 1000);
    expect((await h.call("GET", `/api/operations/${op.id}`)).body).toEqual(expect.objectContaining({ result: "running", end_time: null }));
    clock.advanceReal(1000);
    const done = (await h.call("GET", `/api/operations/${op.id}`)).body;
    expect(done).toEqual(expect.objectContaining({ result: "success", end_time: expect.any(String) }));
    // At the test's time scale of 0.001, one real minute is 60 ms.
    expect(Date.parse(done.end_time) - Date.parse(done.start_time)).toBe(60);
    expect((await h.call("GET", `/api/datastores/${created.body.id}`)).body.latest_operation).toEqual(done);
  });

  test("trigger_catalog (the older name) also starts a sync; without either there is none", async () => {
    const older = await h.call("POST", "/api/datastores", { body: datastoreBody("older", { trigger_catalog: true }) });
    expect(older.body.latest_operation).toEqual(expect.objectContaining({ type: "sync" }));
    const none = await h.call("POST", "/api/datastores", { body: datastoreBody("none") });
    expect(none.body.latest_operation).toBeNull();
  });

  test("POST /operations/run starts a sync for an existing datastore; bad bodies are 422, unknown ids 404", async () => {
    const created = await h.call("POST", "/api/datastores", { body: datastoreBody("later") });
    const run = await h.call("POST", "/api/operations/run", { body: { datastore_id: created.body.id, type: "sync" } });
    expect(run.status).toBe(200);
    expect(run.body).toEqual(expect.objectContaining({ type: "sync", datastore_id: created.body.id }));
    await finished(run.body.id);
    const second = await h.call("POST", "/api/operations/run", { body: { datastore_id: created.body.id, type: "sync", prune: true } });
    expect((await h.call("GET", `/api/datastores/${created.body.id}`)).body.latest_operation.id).toBe(second.body.id);

    const scan = await h.call("POST", "/api/operations/run", { body: { datastore_id: created.body.id, type: "repair" } });
    expect(scan.status).toBe(422);
    expect(scan.body.detail[0]).toEqual(expect.objectContaining({ type: "literal_error", loc: ["body", "type"] }));
    expect((await h.call("POST", "/api/operations/run", { body: { datastore_id: 999, type: "sync" } })).status).toBe(404);
    expect(await h.call("GET", "/api/operations/999")).toEqual(expect.objectContaining({ status: 404, body: { detail: "Operation id: 999 not found" } }));
  });

  test("a running sync finishes across a restart (no timers: progress is worked out from its start)", async () => {
    const clock = freezeQualyticsClock(h);
    const created = await h.call("POST", "/api/datastores", { body: datastoreBody("restart", { trigger_sync: true }) });
    await h.restart();
    const id = created.body.latest_operation.id;
    expect((await h.call("GET", `/api/operations/${id}`)).body.result).toBe("running");
    clock.advanceReal(SYNC_MS);
    expect((await h.call("GET", `/api/operations/${id}`)).body).toEqual(expect.objectContaining({ result: "success", datastore_id: created.body.id }));
  });
});
