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
  readonly retryable: boolean;

  constructor(args: {
    service: ServiceName;
    operation: string;
    status?: number;
    code?: string;
    detail: string;
    retryable?: boolean;
    attempts?: number;
  }) {
    const where = `${args.service} ${args.operation}`;
    const what = args.status !== undefined ? `HTTP ${args.status}${args.code ? ` ${args.code}` : ""}: ${args.detail}` : args.detail;
    const tries = args.attempts && args.attempts > 1 ? ` (after ${args.attempts} attempts)` : "";
    super(redact(`${where} failed${tries}: ${what}`));
    this.name = "ServiceError";
    this.service = args.service;
    this.operation = args.operation;
    this.status = args.status;
    this.code = args.code;
    this.retryable = args.retryable ?? false;
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
