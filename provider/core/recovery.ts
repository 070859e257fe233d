import { ServiceError } from "./errors";
import { ANSWER_LOST_STATUSES, RETRYABLE_IF_IDEMPOTENT, backoffMs, defaultRetryPolicy } from "./http";
import { sleep } from "./timing";

/**
 * How a resource recovers from a failed step: whether the call may have acted, how a step that
 * failed after the remote object was made is recorded, and how a step is tried again. The HTTP
 * layer retries single calls; this is for the steps resources build from them (a create whose
 * answer was lost, a write a cluster's state refused for a moment).
 */

/**
 * A failure after which the remote object may or may not exist: no HTTP answer, or a status the
 * HTTP layer also counts as "may have acted" (500, 502, 504). No answer counts whatever the
 * transport said, a refused connection too (as every resource counted it before): the error
 * names only the last attempt's failure, and an earlier attempt of a call that is safe to
 * repeat may have reached the service.
 */
export const mayHaveActed = (err: unknown): boolean => err instanceof ServiceError && (err.status === undefined || RETRYABLE_IF_IDEMPOTENT.has(err.status));

/**
 * Narrower: the service's own answer never came (no HTTP answer, or a gateway's 502/504), so it
 * may have done everything, or still be doing it. A 500 is an answer: the service stopped.
 */
export const answerLost = (err: unknown): boolean => err instanceof ServiceError && (err.status === undefined || ANSWER_LOST_STATUSES.has(err.status));

/**
 * The error of a step that failed after the remote object was made (or may have been): it
 * carries the object's id and what is known of it, so the engine records the object and the
 * next `up` updates (or resolves) it instead of creating a duplicate. Message and reasons are
 * the cause's; core/dynamic's sanitizeError redacts them and hands all of it to the engine.
 */
export class PartialFailure extends Error {
  /** The id the engine records the object under. */
  readonly id: string;
  /** The outputs recorded with it: what is known so far. */
  readonly properties: object;
  /** What the engine prints for a partial failure (it does not print the message). */
  readonly reasons: string[];

  constructor(cause: unknown, id: string, properties: object) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "PartialFailure";
    this.id = id;
    this.properties = properties;
    this.reasons = [this.message];
  }
}

/** Records a partial failure: `cause`'s message, with the object's id and known properties. */
export const partialFailure = (cause: unknown, id: string, properties: object): PartialFailure => new PartialFailure(cause, id, properties);

/** How {@link retryStep} tries a step again. Every hook runs outside the step: what a hook throws ends the step as it is. */
export interface RetryStepOptions<T> {
  /** Whether a failure is worth another attempt; any other failure is thrown at once. Default: none is. */
  retryOn?: (err: unknown, attempt: number) => boolean;
  /**
   * After every failure, before it is judged: whether the step's work was done after all (a
   * create whose answer was lost, found by a lookup), then `{ value }` ends the step with it; or
   * what the failure means for this step (throw that instead).
   */
  afterFailure?: (err: unknown, attempt: number) => Promise<{ value: T } | undefined>;
  /** What the next attempt needs done first (let a cluster settle, revoke what a lost attempt made). */
  beforeRetry?: (err: unknown, attempt: number) => Promise<void>;
  /** After the last failure worth another attempt, before it is thrown: clean up or record what the attempts left (or throw an error of its own instead). */
  onGiveUp?: (err: unknown) => Promise<void>;
  /** Whether an answer (not a failure) is worth asking again; the last one is returned when attempts run out. */
  retryAnswer?: (answer: T) => boolean;
  /**
   * Attempts in total. Default: the retry policy's `maxAttempts`. A number replaces it; `{ atMost }`
   * keeps the policy's, but no more than that.
   */
  attempts?: number | { atMost: number };
  /** Between attempts: the policy's backoff (default; its budget bounds the total wait), or no wait at all. */
  pause?: "backoff" | "none";
}

/**
 * Sending a create again after its answer was lost: each attempt is a whole call that already
 * had the HTTP layer's retries and waits, so three attempts whatever the policy, and no wait
 * between them (the lookup or clean-up between attempts is what takes the time).
 */
export const RESEND_AFTER_LOST_ANSWER = { attempts: 3, pause: "none" } as const;

/**
 * Runs `step` until it succeeds, under the HTTP layer's retry policy (`defaultRetryPolicy`,
 * `backoffMs`): a failure worth another attempt is retried while attempts and the budget (the
 * total time spent waiting between attempts) last, and then thrown.
 */
export async function retryStep<T>(step: (attempt: number) => Promise<T>, options: RetryStepOptions<T>): Promise<T> {
  const policy = defaultRetryPolicy();
  const limit = options.attempts;
  const attempts = limit === undefined ? policy.maxAttempts : typeof limit === "number" ? limit : Math.min(policy.maxAttempts, limit.atMost);
  let waited = 0;
  /** The wait before attempt `attempt + 1`, or undefined when attempts or budget are spent. */
  const nextDelay = (attempt: number): number | undefined => {
    const delay = options.pause === "none" ? 0 : backoffMs(attempt, policy);
    return attempt >= attempts || waited + delay > policy.budgetMs ? undefined : delay;
  };
  const pauseFor = async (delay: number) => {
    if (delay > 0) await sleep(delay);
    waited += delay;
  };
  for (let attempt = 1; ; attempt++) {
    let answer: T;
    try {
      answer = await step(attempt);
    } catch (err) {
      const recovered = await options.afterFailure?.(err, attempt);
      if (recovered) return recovered.value;
      if (!options.retryOn?.(err, attempt)) throw err;
      const delay = nextDelay(attempt);
      if (delay === undefined) {
        await options.onGiveUp?.(err);
        throw err;
      }
      await options.beforeRetry?.(err, attempt);
      await pauseFor(delay);
      continue;
    }
    if (!options.retryAnswer?.(answer)) return answer;
    const delay = nextDelay(attempt);
    if (delay === undefined) return answer;
    await pauseFor(delay);
  }
}
