import { provider as sourceProvider } from "../../provider/qualytics/databricks-datastore";
import { provider as enrichmentProvider } from "../../provider/qualytics/databricks-enrichment-datastore";
import { parseHttpPath } from "../../provider/databricks/http-path";
import { UNKNOWN } from "../../provider/core/check";

const valid = {
  qualyticsUrl: "https://acme.qualytics.io/api",
  name: "dbx_sales",
  serverHostname: "dbc-1a2b3c4d-5e6f.cloud.databricks.com",
  httpPath: "/sql/1.0/warehouses/abcdef0123456789",
  personalAccessToken: "pat-value-for-tests",
};
const check = (news: Record<string, unknown>) => sourceProvider.check!({}, { ...valid, ...news });

describe("Qualytics Databricks datastore check", () => {
  test("valid inputs pass with defaults filled in", async () => {
    const result = await check({});
    expect(result.failures).toBeUndefined();
    expect(result.inputs).toMatchObject({ teams: ["Public"], tags: [], adopt: false, triggerSync: false });
  });

  test.each([
    [
      { serverHostname: "https://dbc-1a2b3c4d-5e6f.cloud.databricks.com" },
      "serverHostname",
      /is a URL; the server hostname is only its host: "dbc-1a2b3c4d-5e6f.cloud.databricks.com"/,
    ],
    [{ serverHostname: "warehouse.example.com" }, "serverHostname", /expected forms are AWS: /],
    [
      { httpPath: "jdbc:databricks://dbc-1a2b3c4d-5e6f.cloud.databricks.com:443/default;transportMode=http;httpPath=/sql/1.0/warehouses/abc" },
      "httpPath",
      /is a JDBC URL; use only its httpPath: "\/sql\/1.0\/warehouses\/abc"/,
    ],
    [
      { httpPath: "/sql/2.0/things/abc" },
      "httpPath",
      /expected forms are SQL warehouse: \/sql\/1.0\/warehouses\/<warehouse-id>; cluster: sql\/protocolv1\/o\/<org-id>\/<cluster-id>/,
    ],
    [{ database: "sales" }, "database", /needs `catalog`/],
    [{ name: "" }, "name", /must not be empty/],
    [{ enrichmentDatastoreId: "7" }, "enrichmentDatastoreId", /must be a datastore id/],
    [{ qualyticsUrl: "https://acme.qualytics.io/api/v2" }, "qualyticsUrl", /unexpected path/],
  ])("%j fails on %s", async (override, property, reason) => {
    const result = await check(override);
    expect(result.failures).toEqual([{ property, reason: expect.stringMatching(reason) }]);
  });

  test("a token with whitespace is refused without echoing it", async () => {
    const result = await check({ personalAccessToken: "pat-with-newline\n" });
    expect(result.failures).toEqual([{ property: "", reason: expect.stringMatching(/^personalAccessToken: has leading or trailing whitespace/) }]);
    expect(JSON.stringify(result.failures)).not.toContain("pat-with-newline");
  });

  test("unknown values during preview are not judged", async () => {
    expect((await check({ personalAccessToken: UNKNOWN, enrichmentDatastoreId: UNKNOWN })).failures).toBeUndefined();
  });

  test("enrichment settings are validated", async () => {
    const result = await enrichmentProvider.check!({}, { ...valid, enrichmentRemediationStrategy: "merge", enrichmentPrefix: "" });
    expect(result.failures?.map((f) => f.property).sort()).toEqual(["enrichmentPrefix", "enrichmentRemediationStrategy"]);
  });

  test("the source's enrichment settings: ranges, and append/overwrite only with an enrichment datastore", async () => {
    const refused = await check({ enrichmentRemediationStrategy: "append" });
    expect(refused.failures).toEqual([
      {
        property: "enrichmentRemediationStrategy",
        reason: expect.stringMatching(
          /"append" needs an enrichment datastore: set enrichmentDatastoreId, or use "none" \(Qualytics resets the strategy to none when a datastore is unlinked/,
        ),
      },
    ]);
    expect((await check({ enrichmentRemediationStrategy: "overwrite", enrichmentDatastoreId: 4 })).failures).toBeUndefined();
    // While the link is unknown (preview of a new enrichment store), the rule waits.
    expect((await check({ enrichmentRemediationStrategy: "append", enrichmentDatastoreId: UNKNOWN })).failures).toBeUndefined();
    const ranges = await check({ highCountRollupThreshold: 1001, enrichmentSourceRecordLimit: 0, enrichmentPrefix: "x".repeat(61) });
    expect(ranges.failures?.map((f) => f.property).sort()).toEqual(["enrichmentPrefix", "enrichmentSourceRecordLimit", "highCountRollupThreshold"]);
    const normalised = await check({ enrichmentPrefix: "Analytics Bronze", enrichmentDatastoreId: 4 });
    expect(normalised.inputs.enrichmentPrefix).toBe("_analytics_bronze");
  });

  test("diff: the source's enrichment settings are compared only when declared (Qualytics fills them in)", async () => {
    const olds = {
      ...valid,
      teams: ["Public"],
      tags: [],
      adopt: false,
      triggerSync: false,
      datastoreId: 1,
      connectionId: 2,
      connected: true,
      enrichmentPrefix: "_dbx_sales",
      enrichmentRemediationStrategy: "none",
    };
    const news = { ...valid, teams: ["Public"], tags: [], adopt: false, triggerSync: false };
    expect((await sourceProvider.diff!("1", olds, news)).changes).toBe(false);
    expect((await sourceProvider.diff!("1", olds, { ...news, enrichmentPrefix: "_other" })).changes).toBe(true);
  });

  test("the enrichment prefix is normalised as Qualytics does, so the diff stays quiet", async () => {
    const result = await enrichmentProvider.check!({}, { ...valid, enrichmentPrefix: "Analytics Bronze" });
    expect(result.inputs.enrichmentPrefix).toBe("_analytics_bronze");
  });

  test("HTTP path forms", () => {
    expect(parseHttpPath("/sql/1.0/warehouses/abcdef0123456789")).toMatchObject({ target: { kind: "warehouse", warehouseId: "abcdef0123456789" } });
    expect(parseHttpPath("sql/protocolv1/o/4242424242424242/0101-000000-aaaaaaaa")).toMatchObject({
      target: { kind: "cluster", orgId: "4242424242424242", clusterId: "0101-000000-aaaaaaaa" },
    });
  });

  test("diff: everything updates in place; only another instance replaces", async () => {
    const olds = { ...valid, teams: ["Public"], tags: [], adopt: false, triggerSync: false, datastoreId: 1, connectionId: 2, connected: true };
    const news = { ...olds };
    expect(await sourceProvider.diff!("1", olds, news)).toMatchObject({ changes: false, replaces: [] });
    expect(await sourceProvider.diff!("1", olds, { ...news, personalAccessToken: "rotated" })).toMatchObject({ changes: true, replaces: [] });
    expect(await sourceProvider.diff!("1", olds, { ...news, enrichmentDatastoreId: 9 })).toMatchObject({ changes: true, replaces: [] });
    expect(await sourceProvider.diff!("1", olds, { ...news, qualyticsUrl: "https://other.qualytics.io/api" })).toMatchObject({
      changes: true,
      replaces: ["qualyticsUrl"],
    });
  });
});
