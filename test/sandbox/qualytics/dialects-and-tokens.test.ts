import {
  DIALECT_HOSTS,
  QUALYTICS_ADMIN_TOKEN,
  QUALYTICS_EXPIRED_TOKEN,
  QUALYTICS_MANAGER_TOKEN,
  datastoreBody,
  qualyticsTestSeed,
  startQualyticsTestSandbox,
  type QualyticsHarness,
} from "../../helpers/qualytics-sandbox";
import { DEFAULT_SIGNING_KEY, mintQualyticsToken, startQualyticsSandbox } from "../../../sandbox/qualytics";

describe("qualytics sandbox: JWT tokens", () => {
  let h: QualyticsHarness;
  beforeAll(async () => {
    h = await startQualyticsTestSandbox();
  });
  afterAll(async () => h.close());

  test("seeded tokens are JWTs with an exp years ahead; an expired one, a forged one and a non-JWT are 401", async () => {
    const [, payload] = QUALYTICS_ADMIN_TOKEN.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8"));
    expect(claims).toMatchObject({ sub: "admin@example.com", exp: expect.any(Number) });
    expect(claims.exp * 1000 - Date.now()).toBeGreaterThan(5 * 365 * 24 * 3600 * 1000);
    expect((await h.call("GET", "/api/datastores")).status).toBe(200);

    const expired = await h.call("GET", "/api/datastores", { token: QUALYTICS_EXPIRED_TOKEN });
    expect(expired).toMatchObject({ status: 401, body: { detail: "Signature has expired" } });
    expect(expired.headers.get("www-authenticate")).toBe("Bearer");
    // Signed with another key, or well signed but never issued by this deployment.
    const forged = mintQualyticsToken("another-signing-key", { sub: "admin@example.com", exp: claims.exp });
    expect((await h.call("GET", "/api/datastores", { token: forged })).body).toEqual({ detail: "Could not validate credentials" });
    const unissued = mintQualyticsToken(DEFAULT_SIGNING_KEY, { sub: "admin@example.com", exp: claims.exp, jti: "never-issued" });
    expect((await h.call("GET", "/api/datastores", { token: unissued })).status).toBe(401);
    expect((await h.call("GET", "/api/datastores", { token: "sandbox-token-qualytics" })).status).toBe(401);
  });

  test("a seed token that is not a JWT signed by the deployment fails startup, saying how to make one", async () => {
    const seed = qualyticsTestSeed();
    seed.instances![0]!.users![0]!.tokens = [{ value: "plain-old-token" }];
    await expect(startQualyticsSandbox({ seed })).rejects.toThrow(/not a JWT signed with the deployment's tokenSigningKey.*mintQualyticsToken/);
  });

  test("GET /status and /openapi.json answer without a token; the spec lists the routes served", async () => {
    expect((await h.call("GET", "/api/status", { token: null })).status).toBe(200);
    const spec = (await h.call("GET", "/api/openapi.json", { token: null })).body;
    expect(spec.paths["/datastores/{datastore_id}"]).toEqual(
      expect.objectContaining({ get: expect.anything(), put: expect.anything(), delete: expect.anything() }),
    );
    expect(spec.paths["/operations/abort/{operation_id}"]).toEqual({ put: expect.anything() });
    expect(spec.paths["/datastores/connection"]).toEqual({ post: expect.anything() });
  });
});

describe("qualytics sandbox: response dialects", () => {
  let h: QualyticsHarness;
  beforeAll(async () => {
    h = await startQualyticsTestSandbox({ seed: qualyticsTestSeed({ dialects: ["guide", "legacy"], withoutUnsavedTest: ["legacy"] }) });
  });
  afterAll(async () => h.close());

  test("cli: connection_id, 200 on create, {detail} from the unsaved test", async () => {
    const made = await h.call("POST", "/api/datastores", { body: datastoreBody("c1") });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ connection_id: expect.any(Number), enrichment_only: false });
    expect(made.body.connection).toBeUndefined();
    const bad = await h.call("POST", "/api/datastores/connection", { body: datastoreBody("c2", { schema: "nope" }) });
    expect(bad).toMatchObject({ status: 400, body: { detail: expect.stringMatching(/schema 'nope' not found/) } });
    expect((await h.call("GET", "/api/connections")).body.items[0].datastores).toEqual([{ id: made.body.id, name: "c1" }]);
  });

  test("guide: connection {id, name, type} only, 201 on create, {message} from the unsaved test, list items without datastores", async () => {
    const host = DIALECT_HOSTS.guide;
    const made = await h.call("POST", "/api/datastores", { host, body: datastoreBody("g1") });
    expect(made.status).toBe(201);
    expect(made.body.connection).toEqual({ id: expect.any(Number), name: "g1_conn", type: "databricks" });
    expect(made.body.connection_id).toBeUndefined();
    const bad = await h.call("POST", "/api/datastores/connection", { host, body: datastoreBody("g2", { schema: "nope" }) });
    expect(bad).toMatchObject({ status: 400, body: { message: expect.stringMatching(/schema 'nope' not found/) } });
    expect(bad.body.detail).toBeUndefined();
    const listed = (await h.call("GET", "/api/connections", { host })).body.items[0];
    expect(listed.datastores).toBeUndefined();
    expect((await h.call("GET", `/api/connections/${listed.id}`, { host })).body.datastores).toEqual([{ id: made.body.id, name: "g1" }]);
  });

  test("legacy: enrich_only and trigger_catalog; the newer names are a 422 extra_forbidden; no unsaved-test route", async () => {
    const host = DIALECT_HOSTS.legacy;
    const refused = await h.call("POST", "/api/datastores", { host, body: datastoreBody("l1", { enrichment_only: true }) });
    expect(refused.status).toBe(422);
    expect(refused.body.detail[0]).toMatchObject({ type: "extra_forbidden", loc: ["body", "enrichment_only"] });
    const made = await h.call("POST", "/api/datastores", { host, body: datastoreBody("l1", { enrich_only: true }) });
    expect(made.body).toMatchObject({ enrich_only: true, connection_id: expect.any(Number) });
    expect(made.body.enrichment_only).toBeUndefined();
    const synced = await h.call("POST", "/api/datastores", { host, body: datastoreBody("l2", { trigger_catalog: true }) });
    expect(synced.body.latest_operation).toMatchObject({ type: "sync" });
    expect((await h.call("POST", "/api/datastores/connection", { host, body: datastoreBody("l3") })).status).toBe(404);
  });
});

describe("qualytics sandbox: operations, connection tests and the unlink rules", () => {
  let h: QualyticsHarness;
  beforeAll(async () => {
    h = await startQualyticsTestSandbox({ timeScale: 0.01 });
  });
  afterAll(async () => h.close());

  test("profile, scan, materialize, export; a scan with append and no link fails; list and abort", async () => {
    const source = (await h.call("POST", "/api/datastores", { body: datastoreBody("ops", { enrichment_remediation_strategy: "append" }) })).body;
    const run = async (type: string) => (await h.call("POST", "/api/operations/run", { body: { datastore_id: source.id, type } })).body;
    const scan = await run("scan");
    expect(scan).toMatchObject({
      type: "scan",
      result: "failure",
      end_time: expect.any(String),
      message: expect.stringMatching(/needs an enrichment datastore/),
    });
    const profile = await run("profile");
    expect(profile).toMatchObject({ type: "profile", result: "running", end_time: null });
    const aborted = (await h.call("PUT", `/api/operations/abort/${profile.id}`)).body;
    expect(aborted).toMatchObject({ result: "aborted", end_time: expect.any(String) });
    expect((await h.call("PUT", `/api/operations/abort/${scan.id}`)).body.result).toBe("failure");

    const enrich = (await h.call("POST", "/api/datastores", { body: datastoreBody("ops_enrich", { enrichment_only: true }) })).body;
    expect((await h.call("PATCH", `/api/datastores/${source.id}/enrichment/${enrich.id}`)).status).toBe(200);
    expect((await run("scan")).result).toBe("running");
    const exporting = await run("export");
    await run("materialize");
    // Unlink: Admin only, and not while an export or materialize is running.
    expect((await h.call("DELETE", `/api/datastores/${source.id}/enrichment`, { token: QUALYTICS_MANAGER_TOKEN })).status).toBe(403);
    const busy = await h.call("DELETE", `/api/datastores/${source.id}/enrichment`);
    expect(busy).toMatchObject({ status: 409, body: { detail: expect.stringMatching(new RegExp(`export ${exporting.id}`)) } });

    const listed = (await h.call("GET", `/api/operations?datastore=${source.id}&operation_type=scan&sort_created=desc`)).body;
    expect(listed.items.map((o: { result: string }) => o.result)).toEqual(["running", "failure"]);
    expect((await h.call("GET", "/api/operations?result=aborted")).body.total).toBe(1);

    // After they finish (a minute of real time, 0.6 s here), the unlink works and resets the strategy.
    await new Promise((r) => setTimeout(r, 1300));
    expect((await h.call("DELETE", `/api/datastores/${source.id}/enrichment`)).status).toBe(204);
    expect((await h.call("GET", `/api/datastores/${source.id}`)).body).toMatchObject({ enrich_datastore: null, enrichment_remediation_strategy: "none" });
  });

  test("POST /connections/{id}/test tests the saved connection, or the given fields without saving them; PUT needs name and type", async () => {
    const made = (await h.call("POST", "/api/datastores", { body: datastoreBody("conn_test") })).body;
    const id = made.connection_id;
    expect((await h.call("POST", `/api/connections/${id}/test`)).body).toEqual({ connected: true });
    const withBadToken = await h.call("POST", `/api/connections/${id}/test`, { body: { password: "not-a-valid-token" } });
    expect(withBadToken.body).toMatchObject({ connected: false, message: expect.stringMatching(/invalid access token/) });
    expect((await h.call("POST", `/api/connections/${id}/test`)).body).toEqual({ connected: true });
    const noName = await h.call("PUT", `/api/connections/${id}`, { body: { host: "x" } });
    expect(noName.status).toBe(422);
    expect(noName.body.detail.map((d: { loc: string[] }) => d.loc.join("."))).toEqual(["body.name", "body.type"]);
  });
});
