import type { FastifyRequest } from "fastify";
import type { ScaledClock } from "./clock";
import type { SecretLedger } from "./secrets-route";

/** Who made each request, set by a service's auth hook; kept off the request object's own fields. */
const callers = new WeakMap<FastifyRequest, unknown>();

/** What a host's instance is made with: the sandbox clock, how to save the whole state, the service's secret ledger. */
export interface InstanceContext {
  clock: ScaledClock;
  save: () => void;
  /** Every secret the service has known: seeded credentials, issued tokens, secrets handed to it (for the secret audit only). */
  secrets: SecretLedger;
}

/**
 * What every route handler of a sandbox service gets: the state of the one host it answers for
 * (a Databricks workspace, a Hopsworks cluster, a Qualytics deployment), the clock, the secret
 * ledger, save, and the caller. Each service adds its own lookups on top.
 */
export abstract class ServiceInstance<D extends { host: string }, U> {
  readonly clock: ScaledClock;
  readonly secrets: SecretLedger;
  private readonly persist: () => void;

  constructor(
    readonly data: D,
    context: InstanceContext,
  ) {
    this.clock = context.clock;
    this.secrets = context.secrets;
    this.persist = context.save;
  }

  get host(): string {
    return this.data.host;
  }

  /** Writes the whole sandbox state to disk (atomically). Call after every mutation. */
  save(): void {
    this.persist();
  }

  /** Records who made `req`; the auth hook calls it before any route runs. */
  authenticate(req: FastifyRequest, user: U): void {
    callers.set(req, user);
  }

  /** The authenticated caller, or the service's answer to a request that has none. */
  caller(req: FastifyRequest): U {
    const user = callers.get(req) as U | undefined;
    if (user === undefined) throw this.noCaller();
    return user;
  }

  /** The error a route that needs a caller throws when the request has none (a sandbox bug guard). */
  protected abstract noCaller(): Error;
}
