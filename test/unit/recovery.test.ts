import { ServiceError } from "../../provider/core/errors";
import { RESEND_AFTER_LOST_ANSWER, answerLost, mayHaveActed, partialFailure, retryStep } from "../../provider/core/recovery";

const failure = (status?: number, extra: Partial<ConstructorParameters<typeof ServiceError>[0]> = {}) =>
  new ServiceError({ service: "Databricks", operation: "token/create", status, detail: "it broke", ...extra });

describe("may this call have acted", () => {
  test.each([
    [undefined, true, true],
    [500, true, false],
    [502, true, true],
    [504, true, true],
    [503, false, false],
    [429, false, false],
    [400, false, false],
    [409, false, false],
  ])("HTTP %s: may have acted %s, answer lost %s", (status, acted, lost) => {
    expect(mayHaveActed(failure(status))).toBe(acted);
    expect(answerLost(failure(status))).toBe(lost);
  });

  test("only a service's failure tells", () => {
    expect(mayHaveActed(new Error("boom"))).toBe(false);
    expect(answerLost("boom")).toBe(false);
  });
});

describe("errors carry their parts", () => {
  test("code, detail and hint are fields; the message reads as before", () => {
    const err = failure(403, { code: "PERMISSION_DENIED", hint: "ask an admin", attempts: 2 });
    expect(err.message).toBe("Databricks token/create failed (after 2 attempts): HTTP 403 PERMISSION_DENIED: it broke — ask an admin");
    expect([err.code, err.detail, err.hint, err.explanation]).toEqual(["PERMISSION_DENIED", "it broke", "ask an admin", "it broke — ask an admin"]);
    expect(failure(400).explanation).toBe("it broke");
  });
});

describe("partial failure", () => {
  test("carries the id, what is known, and the cause's message as its reason", () => {
    const err = partialFailure(failure(504), "42", { name: "x" });
    expect(err).toMatchObject({ id: "42", properties: { name: "x" }, reasons: [err.message] });
    expect(err.message).toBe(failure(504).message);
    expect(partialFailure("plain", "1", {}).message).toBe("plain");
  });
});

describe("retry this step under the policy", () => {
  const saved = { ...process.env };
  beforeAll(() => {
    process.env.PULUMI_DATABRICKS_INTEGRATIONS_RETRY_BASE_MS = "1";
    process.env.PULUMI_DATABRICKS_INTEGRATIONS_RETRY_MAX_DELAY_MS = "1";
    process.env.PULUMI_DATABRICKS_INTEGRATIONS_MAX_ATTEMPTS = "5";
  });
  afterAll(() => {
    process.env = saved;
  });

  const failing = (errors: unknown[], value = "done") => {
    const calls: number[] = [];
    const step = async (attempt: number) => {
      calls.push(attempt);
      if (errors.length) throw errors.shift();
      return value;
    };
    return { step, calls };
  };

  test("retries what is worth it until it works; anything else is thrown at once", async () => {
    const ok = failing([failure(504), failure(500)]);
    await expect(retryStep(ok.step, { retryOn: mayHaveActed })).resolves.toBe("done");
    expect(ok.calls).toEqual([1, 2, 3]);
    const refused = failing([failure(504), failure(400)]);
    await expect(retryStep(refused.step, { retryOn: mayHaveActed })).rejects.toMatchObject({ status: 400 });
    expect(refused.calls).toEqual([1, 2]);
  });

  test("the policy's attempts, a fixed number, or at most some; then the give-up hook and the last error", async () => {
    const always = () => failing(Array.from({ length: 20 }, () => failure(502)));
    const policy = always();
    await expect(retryStep(policy.step, { retryOn: mayHaveActed })).rejects.toMatchObject({ status: 502 });
    expect(policy.calls).toHaveLength(5);
    const fixed = always();
    const gaveUp: unknown[] = [];
    const thrown = await retryStep(fixed.step, { ...RESEND_AFTER_LOST_ANSWER, retryOn: mayHaveActed, onGiveUp: async (e) => void gaveUp.push(e) }).catch(
      (e: unknown) => e,
    );
    expect([fixed.calls.length, gaveUp]).toEqual([3, [thrown]]);
    const capped = always();
    await expect(retryStep(capped.step, { retryOn: mayHaveActed, attempts: { atMost: 2 } })).rejects.toBeInstanceOf(ServiceError);
    expect(capped.calls).toHaveLength(2);
  });

  test("a failure whose work was done after all ends the step; hooks run outside it", async () => {
    const lost = failing([failure(504)]);
    const before: number[] = [];
    await expect(
      retryStep(lost.step, { retryOn: mayHaveActed, afterFailure: async () => ({ value: "found" }), beforeRetry: async (_e, a) => void before.push(a) }),
    ).resolves.toBe("found");
    expect([lost.calls, before]).toEqual([[1], []]);
    // What a hook throws is not judged by retryOn: it ends the step as it is.
    const cleanup = failing([failure(504)]);
    await expect(retryStep(cleanup.step, { retryOn: () => true, beforeRetry: async () => Promise.reject(failure(502)) })).rejects.toMatchObject({
      status: 502,
    });
    expect(cleanup.calls).toEqual([1]);
  });

  test("an answer worth asking again is asked again, and the last one returned", async () => {
    let n = 0;
    await expect(retryStep(async () => ++n, { retryAnswer: (v) => v < 3 })).resolves.toBe(3);
    n = 0;
    await expect(retryStep(async () => ++n, { retryAnswer: () => true, attempts: { atMost: 4 } })).resolves.toBe(4);
  });
});
