import type { LoggedRequest } from "../../sandbox/common/control";
import { routePattern } from "../../sandbox/common/control";
import { engineErrors } from "../helpers/engine";
import { PlatformHarness } from "../helpers/platform-harness";
import { startPostgres, startS3, type StateServer } from "../../scripts/lib/state-servers";
import type { StackOpResult } from "../../scripts/lib/stack-op-process";

jest.setTimeout(900_000);

/**
 * The main platform the way teams run it: state on a team backend (a private PostgreSQL, an
 * S3-compatible server), several CI runners on one stack. On each backend: a runner killed in the
 * middle of a create, a second runner stopped by the dead run's lock, the README's recovery
 * (`pulumi cancel`, `refresh --clear-pending-creates`, `up`); two runners at once, the second
 * stopped at the engine's lock while the first completes; refresh, destroy. After each step every
 * object in the services belongs to exactly one resource in the stack (no loss, no duplicate).
 */
const TOKEN_CREATE = "POST /api/2.0/token/create";
/** What the engine says when another update holds the stack (pkg/backend/diy/lock.go). */
const LOCKED = /the stack is currently locked by 1 lock\(s\)/;

const BACKENDS: { name: string; start: () => Promise<StateServer> }[] = [
  { name: "PostgreSQL", start: startPostgres },
  { name: "S3", start: startS3 },
];

const ok = (r: StackOpResult) => ({ ok: r.ok, errors: r.ok ? [] : [r.error, ...engineErrors(r)] });

describe.each(BACKENDS)("the main platform on a $name state backend", ({ name, start }) => {
  let server: StateServer;
  let h: PlatformHarness;
  let runnerB: ReturnType<PlatformHarness["otherRunner"]>;

  beforeAll(async () => {
    server = await start();
    h = await PlatformHarness.start({ name: `team-${name.toLowerCase()}`, backendUrl: server.backendUrl, env: server.env });
  });
  afterAll(async () => {
    await h?.close();
    await server?.close();
  });

  test("a runner killed in a create: the next runner stops at its lock; cancel, clear the pending create, up converges", async () => {
    const tokenCreate = (r: LoggedRequest) => routePattern(TOKEN_CREATE).test(`${r.method} ${r.path}`);
    // Databricks makes the token at once and holds its answer past the kill.
    h.addFault("databricks", { route: TOKEN_CREATE, kind: "slow-answer", delayMs: 15_000 });
    const run = h.startOp("up");
    await h.waitForRequest("databricks", (r) => tokenCreate(r) && r.fault === "slow-answer");
    run.kill();
    await run.exited;
    h.clearFaults();

    runnerB = h.otherRunner("b");
    const blocked = await h.op("up", runnerB);
    expect(blocked.ok).toBe(false);
    expect(blocked.output + blocked.error).toMatch(LOCKED);

    for (const args of [
      ["cancel", "--yes"],
      ["refresh", "--yes", "--clear-pending-creates"],
    ]) {
      const r = await h.op("cli", { ...runnerB, args });
      expect({ args, ...ok(r) }).toEqual({ args, ok: true, errors: [] });
    }
    expect(ok(await h.op("up", runnerB))).toEqual({ ok: true, errors: [] });
    expect(await h.problems()).toEqual([]);
  });

  test("two runners at once: the second stops at the lock, the first completes, nothing lost or duplicated", async () => {
    // A token rotation: the longest update (it reaches every resource that uses the token).
    const rotate = h.withConfig({ "platform:tokenLifetimeDays": "91" });
    h.clearRequests();
    // The first runner's token create is held for a while: the second runner starts in the middle.
    h.addFault("databricks", { route: TOKEN_CREATE, kind: "delay", delayMs: 10_000 });
    const first = h.op("up", rotate);
    await h.waitForRequest("databricks", (r) => routePattern(TOKEN_CREATE).test(`${r.method} ${r.path}`) && r.fault === "delay");
    const second = await h.op("up", { ...runnerB, ...rotate });
    expect(second.ok).toBe(false);
    expect(second.output + second.error).toMatch(LOCKED);
    expect(ok(await first)).toEqual({ ok: true, errors: [] });
    expect(await h.problems()).toEqual([]);

    // The second runner, retried after the first, has nothing left to do.
    const again = await h.op("preview", { ...runnerB, ...rotate, refresh: true, expectNoChanges: true });
    expect(ok(again)).toEqual({ ok: true, errors: [] });
  });

  test("destroy from either runner leaves nothing behind", async () => {
    expect(ok(await h.op("destroy", { ...runnerB, ...h.withConfig({ "platform:tokenLifetimeDays": "91" }) }))).toEqual({ ok: true, errors: [] });
    const live = await h.inventory();
    expect({ tokens: live.tokens, registrations: live.registrations, datastores: live.datastores }).toEqual({ tokens: [], registrations: [], datastores: [] });
    expect(await h.problems()).toEqual([]);
  });

  test("secret audit: no secret in the engine output, the exported stack, the state files or the provider log", async () => {
    const stored = await server.contents();
    expect(stored).toContain("pulumi-nodejs:dynamic/databricks-integrations:DatabricksAccessToken");
    expect((await h.verifySecrets([{ label: `the ${name} backend's contents`, text: stored }])).secrets).toBeGreaterThan(0);
  });
});
