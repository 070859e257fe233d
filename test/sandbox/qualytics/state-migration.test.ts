import * as fs from "fs";
import * as path from "path";
import { ADMIN_TOKEN, AWS_HOST } from "../../helpers/databricks-sandbox";
import {
  DIALECT_HOSTS,
  QUALYTICS_ADMIN_TOKEN,
  qualyticsTestSeed,
  WAREHOUSE_PATH,
  startQualyticsTestSandbox,
  type QualyticsHarness,
} from "../../helpers/qualytics-sandbox";
import { provider as enrichmentProvider } from "../../../provider/qualytics/databricks-enrichment-datastore";
import { provider as sourceProvider } from "../../../provider/qualytics/databricks-datastore";

/**
 * Stacks written by 0.1.0 (enrichment settings on the enrichment datastore; `connectionId` read
 * from `connection_id` only) must refresh, update and destroy with this version. The state is
 * `fixtures/state-0.1.0.json`, captured from the 0.1.0 provider's create; here the same live
 * objects are made through the API, then this version's read, diff, update and delete run on it.
 */
type Recorded = { id: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> };
const fixture = (): { enrichment: Recorded; source: Recorded } =>
  JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures/state-0.1.0.json"), "utf8").split("<PAT>").join(ADMIN_TOKEN));

describe.each(["cli", "guide"] as const)("a 0.1.0 state on a %s-dialect control plane", (dialect) => {
  let h: QualyticsHarness;
  const host = DIALECT_HOSTS[dialect];
  beforeAll(async () => {
    h = await startQualyticsTestSandbox({ seed: qualyticsTestSeed({ dialects: [dialect] }) });
    process.env.PULUMI_DATABRICKS_INTEGRATIONS_ENDPOINTS = JSON.stringify({ ...h.databricks.sandbox.endpoints, ...h.qualytics.endpoints });
    process.env.QUALYTICS_TOKEN = QUALYTICS_ADMIN_TOKEN;
  });
  afterAll(async () => {
    delete process.env.PULUMI_DATABRICKS_INTEGRATIONS_ENDPOINTS;
    delete process.env.QUALYTICS_TOKEN;
    await h?.close();
  });

  test("refresh shows no changes, an update applies in place, destroy leaves nothing", async () => {
    const state = fixture();
    const url = `https://${host}/api`;
    for (const r of [state.enrichment, state.source]) {
      r.inputs.qualyticsUrl = url;
      r.outputs.qualyticsUrl = url;
      // On the guide's shape 0.1.0 never learned the connection id.
      if (dialect === "guide") delete r.outputs.connectionId;
    }
    // What 0.1.0 made, made again through the API (fresh sandbox: the same ids).
    const connection = (name: string) => ({ name, type: "databricks", host: AWS_HOST, port: 443, password: ADMIN_TOKEN, parameters: { path: WAREHOUSE_PATH } });
    const e = await h.call("POST", "/api/datastores", {
      host,
      body: {
        name: "dbx_enrichment_old",
        teams: ["Public"],
        tags: [],
        database: "main",
        schema: "default",
        enrichment_only: true,
        enrichment_prefix: "_old_prefix",
        enrichment_source_record_limit: 5,
        enrichment_remediation_strategy: "append",
        connection: connection("dbx_enrichment_old_connection"),
      },
    });
    const s = await h.call("POST", "/api/datastores", {
      host,
      body: {
        name: "dbx_sales_old",
        teams: ["Public"],
        tags: [],
        database: "main",
        schema: "sales",
        enrichment_only: false,
        trigger_sync: false,
        connection: connection("dbx_sales_old_connection"),
      },
    });
    expect([e.body.id, s.body.id]).toEqual([1, 2]);
    expect((await h.call("PATCH", "/api/datastores/2/enrichment/1", { host })).status).toBe(200);

    // The new version checks the old inputs (with the deprecated fields) without failures.
    const eCheck = await enrichmentProvider.check!({}, state.enrichment.inputs);
    const sCheck = await sourceProvider.check!({}, state.source.inputs);
    expect([eCheck.failures ?? [], sCheck.failures ?? []]).toEqual([[], []]);

    // Refresh: live truth, and a diff against the program's inputs that shows nothing.
    const eRead = await enrichmentProvider.read!(state.enrichment.id, state.enrichment.outputs);
    const sRead = await sourceProvider.read!(state.source.id, state.source.outputs);
    expect(eRead.props).toMatchObject({ datastoreId: 1, connectionId: 1, enrichmentPrefix: "_old_prefix", enrichmentRemediationStrategy: "append" });
    expect(sRead.props).toMatchObject({ datastoreId: 2, connectionId: 2, enrichmentDatastoreId: 1, enrichmentRemediationStrategy: "none" });
    expect((await enrichmentProvider.diff!(state.enrichment.id, eRead.props, eCheck.inputs)).changes).toBe(false);
    expect((await sourceProvider.diff!(state.source.id, sRead.props, sCheck.inputs)).changes).toBe(false);

    // Update: the old state as olds (as an `up` without refresh would pass it), new settings on the source.
    const eNews = { ...eCheck.inputs, description: "enrichment, migrated" };
    const sNews = (
      await sourceProvider.check!(
        {},
        { ...state.source.inputs, description: "sales, migrated", enrichmentPrefix: "Sales Bronze", enrichmentRemediationStrategy: "overwrite" },
      )
    ).inputs;
    expect((await enrichmentProvider.diff!(state.enrichment.id, state.enrichment.outputs, eNews)).changes).toBe(true);
    const eUp = await enrichmentProvider.update!(state.enrichment.id, state.enrichment.outputs, eNews);
    const sUp = await sourceProvider.update!(state.source.id, state.source.outputs, sNews);
    expect(eUp.outs).toMatchObject({ connectionId: 1, description: "enrichment, migrated" });
    expect(sUp.outs).toMatchObject({ connectionId: 2, enrichmentPrefix: "_sales_bronze", enrichmentRemediationStrategy: "overwrite" });
    const liveSource = (await h.call("GET", "/api/datastores/2", { host })).body;
    expect(liveSource).toMatchObject({
      description: "sales, migrated",
      enrichment_prefix: "_sales_bronze",
      enrichment_remediation_strategy: "overwrite",
      enrich_datastore: { id: 1 },
    });
    expect((await h.call("GET", "/api/datastores/1", { host })).body).toMatchObject({ description: "enrichment, migrated", enrichment_prefix: "_old_prefix" });

    // Destroy from the old state (source first, as the engine orders it): nothing left.
    await sourceProvider.delete!(state.source.id, state.source.outputs);
    await enrichmentProvider.delete!(state.enrichment.id, state.enrichment.outputs);
    expect((await h.call("GET", "/api/datastores?enrichment_only=true", { host })).body.items).toEqual([]);
    expect((await h.call("GET", "/api/datastores", { host })).body.items).toEqual([]);
    expect((await h.call("GET", "/api/connections", { host })).body.items).toEqual([]);
  });
});
