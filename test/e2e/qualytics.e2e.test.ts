import { ADMIN_TOKEN, AWS_HOST } from "../helpers/databricks-sandbox";
import {
  DIALECT_HOSTS,
  QUALYTICS_ADMIN_TOKEN,
  QUALYTICS_HOST,
  WAREHOUSE_PATH,
  qualyticsTestSeed,
  startQualyticsTestSandbox,
  type QualyticsHarness,
} from "../helpers/qualytics-sandbox";
import { compiledProgram } from "../helpers/engine";
import { EngineHarness } from "../helpers/engine-harness";
import type { StackOpRequest } from "../../scripts/lib/stack-op-process";

jest.setTimeout(600_000);

interface LiveDatastore {
  id: number;
  name: string;
  description?: string | null;
  database?: string | null;
  schema?: string | null;
  enrich_datastore?: { id: number } | null;
  teams: { name: string }[];
  connected: boolean;
}

/**
 * Qualytics datastores through the real engine: a Databricks token, two enrichment datastores,
 * a source linked to one and a second source without catalog and database; then every drift
 * case, relink, unlink, token rotation and destroy.
 */
describe("Qualytics Databricks datastores end to end (real engine, sandboxes)", () => {
  let h: QualyticsHarness;
  /** The stack; its audit searches every token and credential used or issued in everything the engine printed or stored. */
  let stack: EngineHarness;
  let base: Omit<StackOpRequest, "op">;
  const stackOp = (request: StackOpRequest) => stack.stackOp(request);

  beforeAll(async () => {
    // acme answers in the `cli` dialect; the guide's and an older plane's (without the unsaved
    // connection test, and whose create saves untested) run beside it for the dialects test.
    h = await startQualyticsTestSandbox({
      timeScale: 0.001,
      seed: qualyticsTestSeed({ dialects: ["guide", "legacy"], withoutUnsavedTest: ["legacy"], createWithoutTest: ["legacy"] }),
    });
    stack = new EngineHarness({
      name: "e2e-qualytics",
      program: "test/e2e/programs/qualytics.ts",
      projectName: "qualytics-e2e",
      stackName: "dev",
      endpoints: { ...h.databricks.sandbox.endpoints, ...h.qualytics.endpoints },
      config: {
        "databricks:host": AWS_HOST,
        "qualytics:url": `https://${QUALYTICS_HOST}/api`,
        "test:serverHostname": AWS_HOST,
        "test:httpPath": WAREHOUSE_PATH,
      },
      secretConfig: { "databricks:token": ADMIN_TOKEN, "qualytics:token": QUALYTICS_ADMIN_TOKEN },
      secrets: [ADMIN_TOKEN, QUALYTICS_ADMIN_TOKEN],
      sandboxUrls: [h.databricks.url(), h.url(), h.url(DIALECT_HOSTS.guide), h.url(DIALECT_HOSTS.legacy)],
      stop: () => h.close(),
    });
    base = stack.base;
  });
  afterAll(async () => (stack ? stack.close() : h?.close()));

  const run = (op: StackOpRequest["op"], extra: Partial<StackOpRequest> = {}) => stack.run(op, extra);
  const withConfig = (config: Record<string, string>) => stack.withConfig(config);
  const datastore = async (id: number) => (await h.call("GET", `/api/datastores/${id}`)).body as LiveDatastore;
  const allDatastores = async () => {
    const sources = (await h.call("GET", "/api/datastores?size=100")).body.items as LiveDatastore[];
    const enrichment = (await h.call("GET", "/api/datastores?size=100&enrichment_only=true")).body.items as LiveDatastore[];
    return [...sources, ...enrichment];
  };
  const requestCounts = async () => {
    const count = async (url: string) => ((await (await fetch(`${url}/__sandbox/requests`)).json()) as { requests: unknown[] }).requests.length;
    return { databricks: await count(h.databricks.url()), qualytics: await count(h.url()) };
  };
  const clearRequests = async () => {
    await fetch(`${h.databricks.url()}/__sandbox/requests`, { method: "DELETE" });
    await fetch(`${h.url()}/__sandbox/requests`, { method: "DELETE" });
  };

  test("the full lifecycle", async () => {
    const up = await run("up");
    expect(up.changeSummary).toEqual({ create: 6 });
    expect(up.output).not.toMatch(/has no enrichment datastore/); // every source here has one: no warning
    const ids = Object.fromEntries(Object.entries(up.outputs!).map(([k, v]) => [k, v.value])) as Record<string, number>;
    const sales = await datastore(ids.salesId!);
    expect(sales).toMatchObject({ name: "dbx_sales", description: "Sales tables", connected: true, enrich_datastore: { id: ids.enrichmentAId } });
    expect(sales.teams.map((t) => t.name).sort()).toEqual(["Data Engineering", "Public"]);
    expect((await datastore(ids.rawId!)).enrich_datastore?.id).toBe(ids.enrichmentAId);
    expect(up.outputs!.salesConnected!.value).toBe(true);
    // The enrichment settings are on the source, read back from the live source datastore.
    const settings = {
      enrichment_prefix: "_qx",
      enrichment_source_record_limit: 25,
      enrichment_remediation_strategy: "append",
      high_count_rollup_threshold: 20,
    };
    expect(sales).toMatchObject(settings);
    expect(up.output).not.toMatch(/no effect on an enrichment datastore/);
    const firstPat = up.outputs!.pat!.value as string;

    // No-op preview: zero requests to either service. Refresh: no changes.
    await clearRequests();
    expect((await run("preview", { expectNoChanges: true })).changeSummary).toEqual({ same: 6 });
    expect(await requestCounts()).toEqual({ databricks: 0, qualytics: 0 });
    expect((await run("refresh", { expectNoChanges: true })).changeSummary).toEqual({ same: 6 });

    // Drift 1: fields edited out of band (as a person in the UI would, with a full PUT).
    const current = await datastore(ids.salesId!);
    const edited = await h.call("PUT", `/api/datastores/${ids.salesId}`, {
      body: {
        name: "dbx_sales_renamed",
        description: "edited in the UI",
        teams: ["Public"],
        tags: [],
        database: "main",
        schema: "sales",
        enrichment_only: false,
        connection_id: (current as unknown as { connection_id: number }).connection_id,
      },
    });
    expect(edited.status).toBe(200);
    // What a reviewer reads: the review workflow's `pulumi preview --refresh --diff` (the PR comment).
    // The engine's own diff names each field edited out of band, with its live and declared value.
    const review = await run("cli", { args: ["preview", "--refresh", "--diff", "--non-interactive"] });
    expect(review.output).toMatch(/~ description\s*: "edited in the UI" => "Sales tables"/);
    expect(review.output).toMatch(/~ name\s*: "dbx_sales_renamed" => "dbx_sales"/);
    // The console's full PUT also dropped a team and the tags: the update puts them back.
    expect(review.output).toMatch(/~ teams\s*: \[\s*(\[0\]: "Public"\s*)?\+ \[1\]: "Data Engineering"/);
    expect(review.output).toMatch(/~ tags\s*: \[\s*\+ \[0\]: "finance"/);
    expect(review.output).not.toMatch(/~ (serverHostname|httpPath|catalog|database|personalAccessToken)\b/);
    expect((await run("refresh")).changeSummary).toEqual({ same: 5, update: 1 });
    expect((await run("up")).changeSummary).toEqual({ same: 5, update: 1 });
    expect(await datastore(ids.salesId!)).toMatchObject({ name: "dbx_sales", description: "Sales tables", enrich_datastore: { id: ids.enrichmentAId } });

    // Drift 1b: the source's enrichment settings edited out of band (a partial PUT): shown, repaired.
    expect(
      (
        await h.call("PUT", `/api/datastores/${ids.salesId}`, {
          body: { enrichment_prefix: "other", enrichment_remediation_strategy: "overwrite", high_count_rollup_threshold: 999 },
        })
      ).status,
    ).toBe(200);
    expect((await run("refresh")).changeSummary).toEqual({ same: 5, update: 1 });
    expect((await run("up")).changeSummary).toEqual({ same: 5, update: 1 });
    expect(await datastore(ids.salesId!)).toMatchObject(settings);

    // Drift 2: the link changed to the other enrichment store, then removed.
    expect((await h.call("PATCH", `/api/datastores/${ids.salesId}/enrichment/${ids.enrichmentBId}`)).status).toBe(200);
    expect((await run("refresh")).changeSummary).toEqual({ same: 5, update: 1 });
    await run("up");
    expect((await datastore(ids.salesId!)).enrich_datastore?.id).toBe(ids.enrichmentAId);
    expect((await h.call("DELETE", `/api/datastores/${ids.salesId}/enrichment`)).status).toBe(204);
    expect((await run("refresh")).changeSummary).toEqual({ same: 5, update: 1 });
    await run("up");
    expect((await datastore(ids.salesId!)).enrich_datastore?.id).toBe(ids.enrichmentAId);

    // Drift 3: a datastore deleted out of band is dropped by refresh and recreated by up.
    expect((await h.call("DELETE", `/api/datastores/${ids.rawId}`)).status).toBe(204);
    expect((await run("refresh")).changeSummary).toEqual({ same: 5, delete: 1 });
    const recreated = await run("up");
    expect(recreated.changeSummary).toEqual({ same: 5, create: 1 });
    const newRawId = recreated.outputs!.rawId!.value as number;
    expect((await datastore(newRawId)).enrich_datastore?.id).toBe(ids.enrichmentAId);
    expect((await run("preview", { expectNoChanges: true })).changeSummary).toEqual({ same: 6 });

    // Relink to the other enrichment store, then unlink (with the warning), in place.
    expect((await run("up", withConfig({ "test:link": "b" }))).changeSummary).toEqual({ same: 5, update: 1 });
    expect((await datastore(ids.salesId!)).enrich_datastore?.id).toBe(ids.enrichmentBId);
    const unlinked = await run("up", withConfig({ "test:link": "none" }));
    expect(unlinked.changeSummary).toEqual({ same: 5, update: 1 });
    expect(unlinked.output).toMatch(/has no enrichment datastore/);
    expect(await datastore(ids.salesId!)).toMatchObject({ enrich_datastore: null, enrichment_remediation_strategy: "none", enrichment_prefix: "_qx" });

    // Token rotation: a new PAT replaces the old one; every datastore takes it in place.
    const rotated = await run("up", withConfig({ "test:link": "none", "test:tokenComment": "qualytics rotated" }));
    expect(rotated.changeSummary).toEqual({ same: 1, replace: 1, update: 4 });
    const secondPat = rotated.outputs!.pat!.value as string;
    expect(secondPat).not.toBe(firstPat);
    const test = await h.call("POST", `/api/datastores/${ids.salesId}/connection`);
    expect(test.body).toMatchObject({ connected: true });
    expect((await h.databricks.call("GET", "/api/2.0/token/list", { token: firstPat })).status).toBe(403);

    // The masked export, for the secret audit (no PAT, no service credential in it).
    await run("export", withConfig({ "test:link": "none", "test:tokenComment": "qualytics rotated" }));

    // An enrichment store that a datastore outside the stack still links cannot be deleted;
    // the error says what to do. (Inside one stack the engine deletes linking sources first.)
    const final = withConfig({ "test:link": "none", "test:tokenComment": "qualytics rotated" });
    const outsider = await h.call("POST", "/api/datastores", {
      body: {
        name: "outside_stack",
        teams: ["Public"],
        database: "main",
        schema: "sales",
        enrichment_only: false,
        connection: { name: "outside_conn", type: "databricks", host: AWS_HOST, password: ADMIN_TOKEN, parameters: { path: WAREHOUSE_PATH } },
      },
    });
    expect(outsider.status).toBe(200);
    expect((await h.call("PATCH", `/api/datastores/${outsider.body.id}/enrichment/${ids.enrichmentAId}`)).status).toBe(200);
    const blocked = await stackOp({ ...base, ...final, op: "destroy" });
    expect(blocked.ok).toBe(false);
    expect(blocked.output).toMatch(/cannot delete enrichment datastore "dbx_enrichment_a" \(id \d+\): .*Unlink it from those datastores first/);
    expect((await h.call("DELETE", `/api/datastores/${outsider.body.id}`)).status).toBe(204);
    expect((await h.call("DELETE", `/api/connections/${outsider.body.connection_id}`)).status).toBe(204);

    // Destroy leaves the Qualytics sandbox empty (datastores and connections) and no PAT behind.
    const destroyed = await run("destroy", final);
    expect(Object.values(destroyed.changeSummary!).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(await allDatastores()).toEqual([]);
    expect((await h.call("GET", "/api/connections")).body.items).toEqual([]);
    expect(((await h.databricks.call("GET", "/api/2.0/token/list")).body.token_infos as { comment: string }[]).map((t) => t.comment)).toEqual(["seed"]);
  });

  test("an existing datastore of the same name is adopted only when asked", async () => {
    const existing = await h.call("POST", "/api/datastores", {
      body: {
        name: "preexisting",
        teams: ["Public"],
        enrichment_only: false,
        connection: { name: "preexisting_connection", type: "databricks", host: AWS_HOST, password: ADMIN_TOKEN, parameters: { path: WAREHOUSE_PATH } },
      },
    });
    expect(existing.status).toBe(200);
    const request: StackOpRequest = {
      ...base,
      programModule: compiledProgram("test/e2e/programs/qualytics-source.ts"),
      projectName: "qualytics-adopt",
      stackName: "dev",
      op: "up",
      config: { ...base.config, "test:name": "preexisting", "test:catalog": "main", "test:database": "sales" },
      secretConfig: { ...base.secretConfig, "test:pat": ADMIN_TOKEN },
    };
    const refused = await stackOp(request);
    expect(refused.ok).toBe(false);
    expect(refused.output).toMatch(
      new RegExp(
        `a Qualytics datastore named "preexisting" already exists \\(id ${existing.body.id}\\)\\. If an interrupted deployment created it, or to manage it with this resource, set \`adopt: true\``,
      ),
    );

    const adopted = await stackOp({ ...request, config: { ...request.config, "test:adopt": "true" } });
    if (!adopted.ok) throw new Error(adopted.output);
    expect(adopted.outputs!.id!.value).toBe(existing.body.id);
    // Adoption brought it in line with the program (catalog and database were unset).
    expect(await datastore(existing.body.id)).toMatchObject({ database: "main", schema: "sales" });
    expect((await stackOp({ ...request, op: "destroy" })).ok).toBe(true);
    expect(await allDatastores()).toEqual([]);
    expect((await h.call("GET", "/api/connections")).body.items).toEqual([]);
  });

  test.each([
    ["unknown host", { "test:serverHostname": "dbc-00000000-0000.cloud.databricks.com" }, {}, /unknown host 'dbc-00000000-0000.cloud.databricks.com'/],
    ["bad token", {}, { "test:pat": "not-a-valid-token" }, /invalid access token/],
    ["unknown warehouse", { "test:httpPath": "/sql/1.0/warehouses/ffffffffffffffff" }, {}, /SQL warehouse 'ffffffffffffffff' does not exist/],
    ["unknown catalog", { "test:catalog": "nope" }, {}, /catalog 'nope' not found/],
    ["unknown schema", { "test:catalog": "main", "test:database": "nope" }, {}, /schema 'nope' not found in catalog 'main'/],
  ])("a failed connection test (%s) fails the deployment with the reason and leaves nothing", async (label, config, secretConfig, reason) => {
    const request: StackOpRequest = {
      ...base,
      programModule: compiledProgram("test/e2e/programs/qualytics-source.ts"),
      projectName: "qualytics-bad",
      stackName: label.replace(/\s+/g, "-"),
      op: "up",
      config: { ...base.config, "test:name": `bad_${label.replace(/\s+/g, "_")}`, ...config },
      secretConfig: { ...base.secretConfig, "test:pat": ADMIN_TOKEN, ...secretConfig },
    };
    const result = await stackOp(request);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(reason);
    expect(result.output).toMatch(/Qualytics could not connect datastore "bad_/);
    expect(await allDatastores()).toEqual([]);
    expect((await h.call("GET", "/api/connections")).body.items).toEqual([]);
    stack.audit.addSecrets((secretConfig as Record<string, string>)["test:pat"]);
  });

  test("the guide's dialect and an older control plane without the unsaved test: create, refresh, drift repaired, destroy", async () => {
    const hosts = [DIALECT_HOSTS.guide, DIALECT_HOSTS.legacy];
    const request: StackOpRequest = {
      ...base,
      programModule: compiledProgram("test/e2e/programs/qualytics-dialects.ts"),
      projectName: "qualytics-dialects",
      stackName: "dev",
      op: "up",
      config: { ...base.config, "test:hosts": JSON.stringify(hosts) },
    };
    const on = (host: string) => ({ host });
    const up = await stackOp(request);
    if (!up.ok) throw new Error(up.output);
    expect(up.changeSummary).toEqual({ create: 6 }); // the stack, the token and four datastores
    expect(up.output).toMatch(
      /enrichment datastore "enrichment-legacy": enrichmentSourceRecordLimit is a setting of the source datastore and has no effect on an enrichment datastore\. Move it to each QualyticsDatabricksDatastore that links this one/,
    );
    for (const host of hosts) {
      const out = up.outputs![host.split(".")[0]!]!.value as {
        sourceId: number;
        sourceConnection: number;
        enrichmentId: number;
        enrichmentConnection: number;
        link: number;
      };
      // Ids read from either connection field; the link and the settings on the live source.
      expect(typeof out.sourceConnection).toBe("number");
      expect(typeof out.enrichmentConnection).toBe("number");
      expect(out.link).toBe(out.enrichmentId);
      const live = (await h.call("GET", `/api/datastores/${out.sourceId}`, on(host))).body;
      expect(live).toMatchObject({
        enrichment_prefix: `_${host.split(".")[0]} bronze`.replace(" ", "_"),
        enrichment_remediation_strategy: "overwrite",
        enrichment_source_record_limit: 7,
        enrich_datastore: { id: out.enrichmentId },
      });
      const enrichment = (await h.call("GET", `/api/datastores/${out.enrichmentId}`, on(host))).body;
      expect(enrichment[host === DIALECT_HOSTS.legacy ? "enrich_only" : "enrichment_only"]).toBe(true);
      if (host === DIALECT_HOSTS.legacy) expect(enrichment.enrichment_source_record_limit).toBe(3);
    }
    expect((await stackOp({ ...request, op: "refresh", expectNoChanges: true })).ok).toBe(true);

    // Settings drift on the guide's plane: shown by refresh and repaired by up (a partial PUT and the connection object).
    const guideOut = up.outputs!.guide!.value as { sourceId: number };
    expect(
      (await h.call("PUT", `/api/datastores/${guideOut.sourceId}`, { ...on(DIALECT_HOSTS.guide), body: { enrichment_source_record_limit: 99 } })).status,
    ).toBe(200);
    expect((await stackOp({ ...request, op: "refresh" })).changeSummary).toEqual({ same: 5, update: 1 });
    expect((await stackOp(request)).changeSummary).toEqual({ same: 5, update: 1 });
    expect((await h.call("GET", `/api/datastores/${guideOut.sourceId}`, on(DIALECT_HOSTS.guide))).body.enrichment_source_record_limit).toBe(7);

    const destroyed = await stackOp({ ...request, op: "destroy" });
    if (!destroyed.ok) throw new Error(destroyed.output);
    for (const host of hosts) {
      expect((await h.call("GET", "/api/datastores?enrichment_only=true", on(host))).body.items).toEqual([]);
      expect((await h.call("GET", "/api/datastores", on(host))).body.items).toEqual([]);
      expect((await h.call("GET", "/api/connections", on(host))).body.items).toEqual([]);
    }
  });

  test("secret audit: no PAT, Qualytics token or connection password in the exported stacks, state, engine output or provider log", async () => {
    const summary = await stack.verifySecrets();
    expect(summary.secrets).toBeGreaterThanOrEqual(6);
    expect(summary.providers).toBeGreaterThan(0);
    expect(summary.missing).toEqual([]);
  });
});
