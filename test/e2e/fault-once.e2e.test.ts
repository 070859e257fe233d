import { routePattern } from "../../sandbox/common/control";
import { PlatformHarness } from "../helpers/platform-harness";
import { FAULT_KINDS, WRITE_STEPS, faultFor, type Phase } from "../helpers/fault-matrix";
import { engineErrors } from "../helpers/engine";

jest.setTimeout(900_000);

/**
 * The fault matrix, first half: every write step of every resource of the main platform (the
 * provider's own calls and those Hopsworks and Qualytics make to Databricks for it), with each
 * fault kind injected once (429 with Retry-After, 500, 503, connection reset, an answer slower
 * than the caller's timeout). Each lifecycle step (create, token rotation, destroy) must succeed
 * through retries, every injected fault must have been hit, and afterwards every object the
 * services hold belongs to exactly one stack resource and no cluster is half-configured. The
 * attempt budget is the default (10), as users get it; timeouts and backoff steps are short.
 */
describe("fault matrix: each fault once on every write step, the lifecycle succeeds through retries", () => {
  let h: PlatformHarness;

  beforeAll(async () => {
    h = await PlatformHarness.start({ name: "fault-once", faultTimings: true });
  });
  afterAll(async () => h?.close());

  const run = (phase: Phase) =>
    phase === "create"
      ? h.op("up", h.withConfig({ "platform:tokenLifetimeDays": "90" }))
      : phase === "update"
        ? h.op("up", h.withConfig({ "platform:tokenLifetimeDays": "60" }))
        : h.op("destroy");

  for (const kind of FAULT_KINDS) {
    test(`${kind} once on each write step of create, rotation and destroy`, async () => {
      await h.prepareFreshCreate();
      for (const phase of ["create", "update", "delete"] as Phase[]) {
        const steps = WRITE_STEPS.filter((s) => s.phases.includes(phase));
        h.clearRequests();
        for (const step of steps) h.addFault(step.service, faultFor(step, kind, 1));
        const result = await run(phase);
        const faulted = h.requests().filter((r) => r.fault);
        h.clearFaults();
        expect({ phase, ok: result.ok, errors: result.ok ? [] : engineErrors(result) }).toEqual({ phase, ok: true, errors: [] });
        // Every step was really hit by its fault (the matrix covers what it claims to).
        const missed = steps.filter((s) => !faulted.some((r) => routePattern(s.route).test(`${r.method} ${r.path}`) || s.route === `${r.method} ${r.path}`));
        expect({ phase, missed: missed.map((s) => s.route) }).toEqual({ phase, missed: [] });
        expect({ phase, problems: await h.problems() }).toEqual({ phase, problems: [] });
      }
    });
  }

  test("secret audit: no secret in the engine output, the exported stack, the state files or the provider log", async () => {
    expect((await h.verifySecrets()).secrets).toBeGreaterThan(0);
  });
});
