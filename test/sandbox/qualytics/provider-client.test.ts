import { ADMIN_TOKEN, AWS_HOST, controlCall } from "../../helpers/databricks-sandbox";
import {
  DIALECT_HOSTS,
  QUALYTICS_ADMIN_TOKEN,
  QUALYTICS_MANAGER_TOKEN,
  WAREHOUSE_PATH,
  qualyticsTestSeed,
  startQualyticsTestSandbox,
  type QualyticsHarness,
} from "../../helpers/qualytics-sandbox";
import { provider as enrichmentProvider } from "../../../provider/qualytics/databricks-enrichment-datastore";
import { provider as sourceProvider } from "../../../provider/qualytics/databricks-datastore";
import type { Dialect } from "../../../sandbox/qualytics";

/**
 * The datastore lifecycle against every dialect, in process (one provider process, as the
 * engine runs it): request counts per create, the older field names learned once, a missing
 * unsaved-test route, errors worded in `message`, connection reuse only when known unused, and
 * 403s that name the role.
 */
describe("Qualytics datastore lifecycle against each dialect", () => {
  let h: QualyticsHarness;
  beforeAll(async () => {
    h = await startQualyticsTestSandbox({
      seed: qualyticsTestSeed({ dialects: ["guide", "legacy"], withoutUnsavedTest: ["legacy"], createWithoutTest: ["legacy"] }),
    });
    process.env.PULUMI_DATABRICKS_INTEGRATIONS_ENDPOINTS = JSON.stringify({ ...h.databricks.sandbox.endpoints, ...h.qualytics.endpoints });
    process.env.QUALYTICS_TOKEN = QUALYTICS_ADMIN_TOKEN;
  });
  afterAll(async () => {
    delete process.env.PULUMI_DATABRICKS_INTEGRATIONS_ENDPOINTS;
    delete process.env.QUALYTICS_TOKEN;
    await h?.close();
  });

  const inputs = (dialect: Dialect, name: string, extra: Record<string, unknown> = {}) => ({
    qualyticsUrl: `https://${DIALECT_HOSTS[dialect]}/api`,
    serverHostname: AWS_HOST,
    httpPath: WAREHOUSE_PATH,
    personalAccessToken: ADMIN_TOKEN,
    name,
    catalog: "main",
    database: "sales",
    ...extra,
  });
  const checked = async (p: typeof sourceProvider, raw: Record<string, unknown>) => {
    const r = await p.check!({}, raw);
    expect(r.failures ?? []).toEqual([]);
    return r.inputs;
  };
  type Logged = { method: string; path: string; status: number; host: string };
  const log = async () => ({
    qualytics: (await h.control("GET", "/requests")).body.requests as Logged[],
    databricks: (await controlCall(h.databricks.url(), "GET", "/requests")).body.requests as Logged[],
  });
  const clearLog = async () => {
    await h.control("DELETE", "/requests");
    await controlCall(h.databricks.url(), "DELETE", "/requests");
  };
  const empty = async (dialect: Dialect) => {
    const host = DIALECT_HOSTS[dialect];
    expect((await h.call("GET", "/api/datastores", { host })).body.items).toEqual([]);
    expect((await h.call("GET", "/api/datastores?enrichment_only=true", { host })).body.items).toEqual([]);
    expect((await h.call("GET", "/api/connections", { host })).body.items).toEqual([]);
  };

  test.each(["cli", "guide", "legacy"] as const)(
    "%s: a linked source costs at most 12 requests to create; settings land on the source; delete leaves nothing",
    async (dialect) => {
      const host = DIALECT_HOSTS[dialect];
      const e = await enrichmentProvider.create(await checked(enrichmentProvider, inputs(dialect, `enrich_${dialect}`, { database: "default" })));
      await clearLog();
      const s = await sourceProvider.create(
        await checked(
          sourceProvider,
          inputs(dialect, `sales_${dialect}`, {
            enrichmentDatastoreId: e.outs.datastoreId,
            enrichmentPrefix: "Sales Bronze",
            enrichmentRemediationStrategy: "append",
            highCountRollupThreshold: 5,
          }),
        ),
      );
      const { qualytics, databricks } = await log();
      // cli/guide: test, lookup, create, link (4 Q) and two connection tests (Qualytics' own, before and on create: 8 D).
      // legacy: the older names were learned on the enrichment store; no unsaved test here, so the saved datastore is tested instead.
      expect(qualytics.length + databricks.length).toBeLessThanOrEqual(12);
      expect(qualytics.filter((r) => r.status === 422)).toEqual([]);
      expect(s.outs).toMatchObject({
        connected: true,
        enrichmentDatastoreId: e.outs.datastoreId,
        enrichmentPrefix: "_sales_bronze",
        enrichmentRemediationStrategy: "append",
        highCountRollupThreshold: 5,
      });
      expect(typeof s.outs.connectionId).toBe("number");
      expect((await h.call("GET", `/api/datastores/${s.id}`, { host })).body).toMatchObject({
        enrichment_prefix: "_sales_bronze",
        enrichment_remediation_strategy: "append",
        high_count_rollup_threshold: 5,
        enrich_datastore: { id: e.outs.datastoreId },
      });
      const enrichmentLive = (await h.call("GET", `/api/datastores/${e.id}`, { host })).body;
      expect(enrichmentLive[dialect === "legacy" ? "enrich_only" : "enrichment_only"]).toBe(true);

      // Refresh reads the settings back; unlinking (with the strategy back to none) is not drift.
      const read = await sourceProvider.read!(s.id, s.outs);
      expect(read.props).toMatchObject({ enrichmentPrefix: "_sales_bronze", enrichmentRemediationStrategy: "append", highCountRollupThreshold: 5 });
      const unlinkNews = await checked(sourceProvider, inputs(dialect, `sales_${dialect}`, { enrichmentPrefix: "Sales Bronze", highCountRollupThreshold: 5 }));
      const unlinked = await sourceProvider.update!(s.id, s.outs, unlinkNews);
      expect(unlinked.outs).toMatchObject({ enrichmentRemediationStrategy: "none" });
      expect((await sourceProvider.diff!(s.id, (await sourceProvider.read!(s.id, unlinked.outs)).props, unlinkNews)).changes).toBe(false);

      await sourceProvider.delete!(s.id, unlinked.outs);
      await enrichmentProvider.delete!(e.id, e.outs);
      await empty(dialect);
    },
  );

  test("the older field names are learned from the first answer, once per provider process", async () => {
    // The previous test ran on legacy already: every later legacy call uses the older names at once.
    await clearLog();
    const e = await enrichmentProvider.create(await checked(enrichmentProvider, inputs("legacy", "enrich_again", { database: "default" })));
    const { qualytics } = await log();
    expect(qualytics.filter((r) => r.status === 422)).toEqual([]);
    expect((await h.call("GET", `/api/datastores/${e.id}`, { host: DIALECT_HOSTS.legacy })).body.enrich_only).toBe(true);
    await enrichmentProvider.delete!(e.id, e.outs);
    await empty("legacy");
  });

  test("guide: a failed unsaved test is reported with Qualytics' `message`, and nothing is created", async () => {
    const bad = await checked(sourceProvider, inputs("guide", "bad_guide", { httpPath: "/sql/1.0/warehouses/ffffffffffffffff" }));
    await expect(sourceProvider.create(bad)).rejects.toThrow(
      /Qualytics could not connect datastore "bad_guide" to Databricks: Unable to connect: SQL warehouse 'ffffffffffffffff' does not exist.*Nothing was created or changed/,
    );
    await empty("guide");
  });

  test("legacy (no unsaved test, create saves untested): created, tested, deleted again on failure; nothing is kept", async () => {
    const bad = await checked(sourceProvider, inputs("legacy", "bad_legacy", { httpPath: "/sql/1.0/warehouses/ffffffffffffffff" }));
    await clearLog();
    await expect(sourceProvider.create(bad)).rejects.toThrow(
      /Qualytics could not connect datastore "bad_legacy" to Databricks: .*SQL warehouse 'ffffffffffffffff' does not exist\. Nothing was kept: the datastore was created to test it .* and deleted again/,
    );
    const calls = (await log()).qualytics.map((r) => `${r.method} ${r.path.replace(/\d+/g, "N")}`);
    expect(calls).toEqual(
      expect.arrayContaining(["POST /api/datastores", "POST /api/datastores/N/connection", "DELETE /api/datastores/N", "DELETE /api/connections/N"]),
    );
    await empty("legacy");
  });

  test("a create that tests and refuses (400) without the unsaved test is reported as the failed test", async () => {
    const h2 = await startQualyticsTestSandbox({ seed: qualyticsTestSeed({ unsavedConnectionTest: false }) });
    try {
      process.env.PULUMI_DATABRICKS_INTEGRATIONS_ENDPOINTS = JSON.stringify({
        ...h2.databricks.sandbox.endpoints,
        ...h2.qualytics.endpoints,
        "acme.qualytics.io": h2.url(),
      });
      const bad = await checked(sourceProvider, inputs("cli", "refused_cli", { serverHostname: "dbc-00000000-0000.cloud.databricks.com" }));
      await expect(sourceProvider.create(bad)).rejects.toThrow(
        /Qualytics could not connect datastore "refused_cli" to Databricks: Unable to connect: unknown host .*Nothing was created or changed/,
      );
      expect((await h2.call("GET", "/api/connections")).body.items).toEqual([]);
    } finally {
      process.env.PULUMI_DATABRICKS_INTEGRATIONS_ENDPOINTS = JSON.stringify({ ...h.databricks.sandbox.endpoints, ...h.qualytics.endpoints });
      await h2.close();
    }
  });

  test.each(["cli", "guide"] as const)("%s: a leftover connection is reused only when a GET shows it unused; one in use is refused", async (dialect) => {
    const host = DIALECT_HOSTS[dialect];
    const first = await sourceProvider.create(await checked(sourceProvider, inputs(dialect, `again_${dialect}`)));
    // Deleted out of band: Qualytics keeps the connection. The next create takes it over.
    expect((await h.call("DELETE", `/api/datastores/${first.id}`, { host })).status).toBe(204);
    const second = await sourceProvider.create(await checked(sourceProvider, inputs(dialect, `again_${dialect}`)));
    expect(second.outs.connectionId).toBe(first.outs.connectionId);
    expect((await h.call("GET", "/api/connections", { host })).body.items).toHaveLength(1);

    // A connection of that name serving another datastore is never taken.
    const other = await h.call("POST", "/api/datastores", {
      host,
      body: { name: "someone_else", connection_id: second.outs.connectionId, database: "main", schema: "sales" },
    });
    expect(other.status).toBeLessThan(300);
    expect((await h.call("DELETE", `/api/datastores/${second.id}`, { host })).status).toBe(204);
    await expect(sourceProvider.create(await checked(sourceProvider, inputs(dialect, `again_${dialect}`)))).rejects.toThrow(
      new RegExp(`the Qualytics connection "again_${dialect}_connection" \\(id \\d+\\) already serves datastore\\(s\\) "someone_else"`),
    );
    expect((await h.call("DELETE", `/api/datastores/${other.body.id}`, { host })).status).toBe(204);
    expect((await h.call("DELETE", `/api/connections/${second.outs.connectionId}`, { host })).status).toBe(204);
    await empty(dialect);
  });

  test("unlinking with a Manager's token: the 403 says it needs the Admin role", async () => {
    const asManager = { qualyticsToken: QUALYTICS_MANAGER_TOKEN };
    const e = await enrichmentProvider.create(await checked(enrichmentProvider, inputs("cli", "enrich_roles", { database: "default", ...asManager })));
    const s = await sourceProvider.create(
      await checked(sourceProvider, inputs("cli", "sales_roles", { enrichmentDatastoreId: e.outs.datastoreId, ...asManager })),
    );
    const news = await checked(sourceProvider, inputs("cli", "sales_roles", asManager));
    await expect(sourceProvider.update!(s.id, s.outs, news)).rejects.toThrow(/HTTP 403: .*unlinking an enrichment datastore needs the Admin role in Qualytics/);
    await sourceProvider.delete!(s.id, { ...s.outs, qualyticsToken: undefined });
    await enrichmentProvider.delete!(e.id, { ...e.outs, qualyticsToken: undefined });
    await empty("cli");
  });
});
