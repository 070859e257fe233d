import type { LoggedRequest } from "../../sandbox/common/control";
import { routePattern } from "../../sandbox/common/control";
import { PlatformHarness, type ServiceKey } from "../helpers/platform-harness";
import { engineErrors } from "../helpers/engine";

jest.setTimeout(900_000);

/**
 * The engine killed with SIGKILL in the middle of each create of the main platform: the service
 * has acted (the token, registration, configuration or datastore exists) but its answer has not
 * reached the engine, which dies with the create pending in its state and the stack locked.
 * The recovery documented in the README ("When a deployment fails or is interrupted") must
 * converge: no pending operation, no duplicate, no orphan, no half-configured cluster.
 */
const HOPSWORKS = "/hopsworks-api/api/project/*/integrations/databricks";
const TYPE = "pulumi-nodejs:dynamic/databricks-integrations:";

interface KillCase {
  resource: string;
  service: ServiceKey;
  route: string;
  /** Which matching request to hold: the enrichment datastore is created before the source. */
  nth: 1 | 2;
  /** Datastores: the recovery adopts the one the dead run created (names are unique). */
  datastoreName?: string;
}

const CASES: KillCase[] = [
  { resource: "DatabricksAccessToken", service: "databricks", route: "POST /api/2.0/token/create", nth: 1 },
  { resource: "HopsworksDatabricksInstance", service: "hopsworks", route: `POST ${HOPSWORKS}/*`, nth: 1 },
  { resource: "HopsworksConfiguredCluster", service: "hopsworks", route: `POST ${HOPSWORKS}/*/clusters/*`, nth: 1 },
  { resource: "QualyticsDatabricksEnrichmentDatastore", service: "qualytics", route: "POST /api/datastores", nth: 1, datastoreName: "databricks_enrichment" },
  { resource: "QualyticsDatabricksDatastore", service: "qualytics", route: "POST /api/datastores", nth: 2, datastoreName: "databricks_sales" },
];

describe("SIGKILL in the middle of each create: the documented recovery converges without duplicates", () => {
  let h: PlatformHarness;

  beforeAll(async () => {
    h = await PlatformHarness.start({ name: "sigkill" });
  });
  afterAll(async () => h?.close());

  const cli = async (...args: string[]) => {
    const result = await h.op("cli", { args });
    expect({ args, ok: result.ok, errors: result.ok ? [] : [result.error, ...engineErrors(result)] }).toEqual({ args, ok: true, errors: [] });
    return result;
  };

  for (const c of CASES) {
    test(`killed while creating ${c.resource}`, async () => {
      await h.prepareFreshCreate();
      h.clearRequests();
      const matches = (r: LoggedRequest) => routePattern(c.route).test(`${r.method} ${r.path}`);
      // The service acts at once and holds its answer long past the kill.
      const hold = () => h.addFault(c.service, { route: c.route, kind: "slow-answer", delayMs: 15_000 });
      if (c.nth === 1) hold();
      const run = h.startOp("up");
      if (c.nth === 2) {
        await h.waitForRequest(c.service, matches);
        hold();
      }
      await h.waitForRequest(c.service, (r) => matches(r) && r.fault === "slow-answer");
      // Let the service finish acting (Hopsworks' configure makes a dozen Databricks calls).
      await new Promise((r) => setTimeout(r, 2000));
      run.kill();
      await run.exited;
      h.clearFaults();

      const pending = ((await h.stateView()).deployment as any).deployment.pending_operations as { type: string; resource: { urn: string; type: string } }[];
      expect(pending.some((p) => p.type === "creating" && p.resource.type === `${TYPE}${c.resource}`)).toBe(true);

      // The recovery, as the README documents it.
      await cli("cancel", "--yes");
      await cli("refresh", "--yes", "--clear-pending-creates");
      // A datastore the dead run created holds its unique name: the resource adopts it.
      const up = await h.op("up", c.datastoreName ? h.withConfig({ "platform:adoptDatastores": "true" }) : {});
      expect({ ok: up.ok, errors: up.ok ? [] : engineErrors(up) }).toEqual({ ok: true, errors: [] });
      expect(await h.problems()).toEqual([]);
      // And the stack is whole: a refreshing preview has nothing to do.
      const preview = await h.op("preview", { refresh: true, expectNoChanges: true });
      expect({ ok: preview.ok, errors: preview.ok ? [] : engineErrors(preview) }).toEqual({ ok: true, errors: [] });
    });
  }

  test("secret audit: no secret in the engine output, the exported stack, the state files or the provider log", async () => {
    expect((await h.verifySecrets()).secrets).toBeGreaterThan(0);
  });
});
