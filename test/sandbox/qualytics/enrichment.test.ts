import {
  QUALYTICS_MANAGER_TOKEN,
  QUALYTICS_MEMBER_TOKEN,
  datastoreBody,
  startQualyticsTestSandbox,
  type QualyticsHarness,
} from "../../helpers/qualytics-sandbox";

describe("qualytics sandbox: enrichment links", () => {
  let h: QualyticsHarness;
  let source: number;
  let enrich: number;
  let enrich2: number;
  beforeEach(async () => {
    h = await startQualyticsTestSandbox();
    source = (await h.call("POST", "/api/datastores", { body: datastoreBody("source") })).body.id;
    enrich = (await h.call("POST", "/api/datastores", { body: datastoreBody("enrich", { enrichment_only: true, schema: "default" }) })).body.id;
    enrich2 = (await h.call("POST", "/api/datastores", { body: datastoreBody("enrich2", { enrichment_only: true, schema: "default" }) })).body.id;
  });
  afterEach(async () => h.close());

  const link = (from: number, to: number, token?: string) => h.call("PATCH", `/api/datastores/${from}/enrichment/${to}`, { token });

  test("link returns the source with the enrichment stub; it is idempotent; a second link switches", async () => {
    const linked = await link(source, enrich, QUALYTICS_MEMBER_TOKEN);
    expect(linked.status).toBe(200);
    expect(linked.body.id).toBe(source);
    expect(linked.body.enrich_datastore).toEqual({ id: enrich, name: "enrich", store_type: "jdbc", type: "databricks", enrichment_only: true });
    const again = await link(source, enrich);
    expect(again.status).toBe(200);
    expect(again.body.enrich_datastore.id).toBe(enrich);
    const switched = await link(source, enrich2);
    expect(switched.body.enrich_datastore.id).toBe(enrich2);
    expect((await h.call("GET", `/api/datastores/${source}`)).body.enrich_datastore.id).toBe(enrich2);
  });

  test("409 when the source is itself an enrichment store, or the target is not one; 404 for unknown ids", async () => {
    const fromEnrichment = await link(enrich, enrich2);
    expect(fromEnrichment).toEqual(expect.objectContaining({ status: 409, body: { detail: `The datastore id: ${enrich} is an enrichment store` } }));
    const toSource = await link(source, source);
    expect(toSource).toEqual(expect.objectContaining({ status: 409, body: { detail: `The datastore id: ${source} is not an enrichment store` } }));
    expect(await link(999, enrich)).toEqual(expect.objectContaining({ status: 404, body: { detail: "Datastore id: 999 not found" } }));
    expect(await link(source, 999)).toEqual(expect.objectContaining({ status: 404, body: { detail: "Datastore id: 999 not found" } }));
    expect((await h.call("GET", `/api/datastores/${source}`)).body.enrich_datastore).toBeNull();
  });

  test("unlink is 204, resets the remediation strategy, is a no-op when nothing is linked, and needs Admin", async () => {
    await h.call("PUT", `/api/datastores/${source}`, {
      body: {
        name: "source",
        connection_id: (await h.call("GET", `/api/datastores/${source}`)).body.connection_id,
        database: "main",
        schema: "sales",
        teams: ["Public"],
        enrichment_remediation_strategy: "append",
      },
    });
    await link(source, enrich);
    expect((await h.call("DELETE", `/api/datastores/${source}/enrichment`, { token: QUALYTICS_MANAGER_TOKEN })).status).toBe(403);
    const unlinked = await h.call("DELETE", `/api/datastores/${source}/enrichment`);
    expect(unlinked.status).toBe(204);
    const after = (await h.call("GET", `/api/datastores/${source}`)).body;
    expect(after.enrich_datastore).toBeNull();
    expect(after.enrichment_remediation_strategy).toBe("none");
    expect((await h.call("DELETE", `/api/datastores/${source}/enrichment`)).status).toBe(204);
    expect((await h.call("DELETE", "/api/datastores/999/enrichment")).status).toBe(404);
  });

  test("an enrichment store still linked from a source cannot be deleted (409) until unlinked", async () => {
    await link(source, enrich);
    const refused = await h.call("DELETE", `/api/datastores/${enrich}`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toBe(`The datastore id: ${enrich} is linked as enrichment to datastore(s): ${source} (source)`);
    await h.call("DELETE", `/api/datastores/${source}/enrichment`);
    expect((await h.call("DELETE", `/api/datastores/${enrich}`)).status).toBe(204);
  });

  test("deleting the source drops its link; create can link at once with enrichment_datastore_id", async () => {
    const created = await h.call("POST", "/api/datastores", { body: datastoreBody("linked_at_birth", { enrichment_datastore_id: enrich }) });
    expect(created.status).toBe(200);
    expect(created.body.enrich_datastore.id).toBe(enrich);
    const badTarget = await h.call("POST", "/api/datastores", { body: datastoreBody("nope", { enrichment_datastore_id: source }) });
    expect(badTarget.status).toBe(409);
    expect((await h.call("GET", "/api/datastores?name=nope")).body.total).toBe(0);
    expect((await h.call("DELETE", `/api/datastores/${created.body.id}`)).status).toBe(204);
    expect((await h.call("DELETE", `/api/datastores/${enrich}`)).status).toBe(204);
  });
});
