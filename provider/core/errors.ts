import { redact } from "./redact";

/** Which remote service a call went to; used in every error message. */
export type ServiceName = "Databricks" | "Hopsworks" | "Qualytics";

/**
 * A failed call to a remote service, worded for the person running `pulumi up`: which service,
 * which call, and why (the service's own error code and message, or the transport failure).
 * The message is redacted at construction, so it can be thrown and logged as it is.
 */
export class ServiceError extends Error {
  readonly service: ServiceName;
  readonly operation: string;
  /** HTTP status, when the service answered. */
  readonly status?: number;
  /** The service's own error code (`RESOURCE_DOES_NOT_EXIST`, `270125`, ...), when it gave one. */
  readonly code?: string;
  /** What the service said (its message), or what went wrong in transport; redacted. */
  readonly detail: string;
  /** What the person running `pulumi up` can do about it, when the service's reader knows; redacted. */
  readonly hint?: string;
  readonly retryable: boolean;

  constructor(args: {
    service: ServiceName;
    operation: string;
    status?: number;
    code?: string;
    detail: string;
    hint?: string;
    retryable?: boolean;
    attempts?: number;
  }) {
    const where = `${args.service} ${args.operation}`;
    const said = args.hint ? `${args.detail} — ${args.hint}` : args.detail;
    const what = args.status !== undefined ? `HTTP ${args.status}${args.code ? ` ${args.code}` : ""}: ${said}` : said;
    const tries = args.attempts && args.attempts > 1 ? ` (after ${args.attempts} attempts)` : "";
    super(redact(`${where} failed${tries}: ${what}`));
    this.name = "ServiceError";
    this.service = args.service;
    this.operation = args.operation;
    this.status = args.status;
    this.code = args.code;
    this.detail = redact(args.detail);
    this.hint = args.hint === undefined ? undefined : redact(args.hint);
    this.retryable = args.retryable ?? false;
  }

  /** The detail and the hint as the message ends with them (`<detail> — <hint>`): what to quote in another message. */
  get explanation(): string {
    return this.hint ? `${this.detail} — ${this.hint}` : this.detail;
  }

  /** True when the service said the object does not exist. */
  get isNotFound(): boolean {
    return this.status === 404;
  }
}

/** Bad or incomplete configuration found while running (not at check time). */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(redact(message));
    this.name = "ConfigurationError";
  }
}
