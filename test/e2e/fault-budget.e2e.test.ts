import { PlatformHarness } from "../helpers/platform-harness";
import { CAUSE, FAULT_KINDS, WRITE_STEPS, faultFor, type FaultKind, type Phase, type WriteStep } from "../helpers/fault-matrix";
import { engineErrors } from "../helpers/engine";

jest.setTimeout(1_800_000);

/**
 * The fault matrix, second half: a fault that persists until the retry budget is spent. The
 * lifecycle step fails with a message naming the service, the call and the cause; once the fault
 * clears, the next run of the same step converges, and no duplicate, orphan or half-configured
 * cluster is left.
 *
 * Every write step is covered in every lifecycle step it belongs to, and every fault kind on the
 * creates that reconcile a lost answer (token, datastore, registration). Elsewhere
 * the kind rotates, so each kind still meets every service: the HTTP layer treats a kind the same
 * on every call of one idempotency (see test/unit/http.test.ts), and the full product through
 * the engine would take about half an hour on a two-core machine. Steps of independent resources
 * (Hopsworks' chain, Qualytics' chain) are faulted in the same run with --continue-on-error.
 * Attempts are 3 per call here (10 by default), to keep the run short.
 */

/**
 * Where a slow answer (the service acted) lets the next attempt see the work done, so the step
 * may succeed instead: a datastore create is looked up by its name, and Hopsworks uploads its
 * client archive only while it is absent, which a completed `dbfs/close` ends.
 */
const MAY_RECOVER = (cell: Cell) => cell.kind === "slow" && (cell.step.route === "POST /api/datastores" || cell.step.route === "POST /api/2.0/dbfs/close");
const ALL_KINDS = new Set(["POST /api/2.0/token/create", "POST /api/datastores", "POST /hopsworks-api/api/project/*/integrations/databricks/*"]);

interface Cell {
  step: WriteStep;
  kind: FaultKind;
  phase: Phase;
}

function cellsOf(phase: Phase, chain: WriteStep["chain"], rotation: { next: number }): Cell[] {
  const cells: Cell[] = [];
  for (const step of WRITE_STEPS.filter((s) => s.chain === chain && s.phases.includes(phase))) {
    if (ALL_KINDS.has(step.route) && phase === step.phases[0]) for (const kind of FAULT_KINDS) cells.push({ step, kind, phase });
    else cells.push({ step, kind: FAULT_KINDS[rotation.next++ % FAULT_KINDS.length]!, phase });
  }
  return cells;
}

/** Cases of one phase: a token step alone (both chains wait on tokens), else one cell per chain. */
function casesOf(phase: Phase, rotation: { next: number }): Cell[][] {
  const tokens = cellsOf(phase, "tokens", rotation);
  const hopsworks = cellsOf(phase, "hopsworks", rotation);
  const qualytics = cellsOf(phase, "qualytics", rotation);
  const pairs = Array.from({ length: Math.max(hopsworks.length, qualytics.length) }, (_, i) => [hopsworks[i], qualytics[i]].filter((c): c is Cell => !!c));
  return [...tokens.map((c) => [c]), ...pairs];
}

describe("fault matrix: a fault until the retry budget is spent fails clearly, and the next run converges", () => {
  let h: PlatformHarness;
  const rotation = { next: 0 };
  const creates = casesOf("create", rotation);
  const updates = casesOf("update", rotation);
  const deletes = casesOf("delete", rotation);
  let lifetime = 90;

  beforeAll(async () => {
    h = await PlatformHarness.start({ name: "fault-budget", faultTimings: true, env: { PULUMI_DATABRICKS_INTEGRATIONS_MAX_ATTEMPTS: "3" } });
  });
  afterAll(async () => h?.close());

  const step = (phase: Phase, continueOnError = false) => {
    if (phase === "delete") return h.op("destroy", { continueOnError });
    if (phase === "update") lifetime = lifetime === 90 ? 60 : 90;
    return h.op("up", { ...h.withConfig({ "platform:tokenLifetimeDays": String(lifetime) }), continueOnError });
  };

  /**
   * One case: persistent faults, a clear failure per cell, then a clean run and the invariants.
   * Returns what went wrong (empty when all held), so every case runs and the test lists them all.
   */
  async function runCase(phase: Phase, cells: Cell[]): Promise<string[]> {
    const label = `${phase}: ${cells.map((c) => `${c.kind} on ${c.step.route}`).join(" + ")}`;
    for (const cell of cells) h.addFault(cell.step.service, faultFor(cell.step, cell.kind, 1000));
    const failed = await step(phase, true);
    h.clearFaults();
    const errors = engineErrors(failed);
    const expected = cells.filter((c) => !MAY_RECOVER(c));
    const wrong: string[] = [];
    if (expected.length && failed.ok) wrong.push(`${label}: succeeded despite the faults`);
    for (const cell of expected) {
      if (!errors.some((e) => cell.step.names.every((n) => n.test(e)) && CAUSE[cell.kind].test(e))) {
        wrong.push(`${label}: no error names ${cell.kind} on ${cell.step.route}; the errors were:\n  ${errors.join("\n  ")}`);
      }
    }
    // The fault is gone: the same step again (an update re-applies the config that failed).
    if (phase === "update") lifetime = lifetime === 90 ? 60 : 90;
    const converged = await step(phase);
    if (!converged.ok) wrong.push(`${label}: did not converge once the fault cleared:\n  ${engineErrors(converged).join("\n  ")}`);
    else wrong.push(...(await h.problems()).map((p) => `${label}: ${p}`));
    return wrong;
  }

  test("every write step of create, rotation and destroy", async () => {
    const rounds = Math.max(creates.length, updates.length, deletes.length);
    const wrong: string[] = [];
    for (let i = 0; i < rounds; i++) {
      await h.prepareFreshCreate();
      if (creates[i]) wrong.push(...(await runCase("create", creates[i]!)));
      if (updates[i]) wrong.push(...(await runCase("update", updates[i]!)));
      if (deletes[i]) wrong.push(...(await runCase("delete", deletes[i]!)));
    }
    expect(wrong).toEqual([]);
    const covered = new Set([...creates, ...updates, ...deletes].flat().map((c) => `${c.phase} ${c.step.route}`));
    for (const s of WRITE_STEPS) for (const phase of s.phases) expect(covered).toContain(`${phase} ${s.route}`);
    expect(new Set([...creates, ...updates, ...deletes].flat().map((c) => c.kind))).toEqual(new Set(FAULT_KINDS));
  });

  test("secret audit: no secret in the engine output, the exported stack, the state files or the provider log", async () => {
    expect((await h.verifySecrets()).secrets).toBeGreaterThan(0);
  });
});
