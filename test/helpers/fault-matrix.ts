import type { Fault } from "../../sandbox/common/control";
import type { ServiceKey } from "./platform-harness";

/**
 * Every HTTP call of the main platform's lifecycle that changes something (and the call Qualytics
 * makes to Databricks to test a connection), with who makes it and in which lifecycle step. The
 * routes were read off the sandboxes' request logs of a create, a token rotation and a destroy.
 */
export type Phase = "create" | "update" | "delete";
/** Who sends the call: the provider itself, or a service on the provider's behalf. */
export type Caller = "provider" | "Hopsworks" | "Qualytics";
/** Calls that run one after another inside one resource; chains run side by side. */
export type Chain = "tokens" | "hopsworks" | "qualytics";

export interface WriteStep {
  /** Which sandbox serves the call (where the fault goes). */
  service: ServiceKey;
  route: string;
  caller: Caller;
  phases: Phase[];
  chain: Chain;
  /** What a failure message must name: the service the provider talked to and its call. */
  names: RegExp[];
}

const HOPSWORKS = "/hopsworks-api/api/project/*/integrations/databricks";

export const WRITE_STEPS: WriteStep[] = [
  {
    service: "databricks",
    route: "POST /api/2.0/token/create",
    caller: "provider",
    phases: ["create", "update"],
    chain: "tokens",
    names: [/Databricks token\/create/],
  },
  {
    service: "databricks",
    route: "POST /api/2.0/token/delete",
    caller: "provider",
    phases: ["update", "delete"],
    chain: "tokens",
    names: [/Databricks token\/delete/],
  },

  {
    service: "hopsworks",
    route: "POST /hopsworks-api/api/auth/login",
    caller: "provider",
    phases: ["create"],
    chain: "hopsworks",
    names: [/Hopsworks auth\/login/],
  },
  {
    service: "hopsworks",
    route: `POST ${HOPSWORKS}/*`,
    caller: "provider",
    phases: ["create", "update"],
    chain: "hopsworks",
    names: [/Hopsworks integrations\/databricks register/],
  },
  {
    service: "hopsworks",
    route: `DELETE ${HOPSWORKS}/*`,
    caller: "provider",
    phases: ["update", "delete"],
    chain: "hopsworks",
    names: [/Hopsworks integrations\/databricks unregister/],
  },
  {
    service: "hopsworks",
    route: `POST ${HOPSWORKS}/*/clusters/*`,
    caller: "provider",
    phases: ["create"],
    chain: "hopsworks",
    names: [/Hopsworks integrations\/databricks configure cluster/],
  },
  // What Hopsworks' configure sends to Databricks: a failure comes back wrapped in Hopsworks' 270125.
  ...["dbfs/create", "dbfs/add-block", "dbfs/close", "dbfs/put", "clusters/edit", "clusters/start", "libraries/install"].map((call): WriteStep => ({
    service: "databricks",
    route: `POST /api/2.0/${call}`,
    caller: "Hopsworks",
    phases: ["create"],
    chain: "hopsworks",
    names: [/Hopsworks integrations\/databricks configure cluster/, /270125/],
  })),
  // The provider's own restore on delete.
  {
    service: "databricks",
    route: "POST /api/2.0/libraries/uninstall",
    caller: "provider",
    phases: ["delete"],
    chain: "hopsworks",
    names: [/Databricks libraries\/uninstall/],
  },
  {
    service: "databricks",
    route: "POST /api/2.1/clusters/edit",
    caller: "provider",
    phases: ["delete"],
    chain: "hopsworks",
    names: [/Databricks clusters\/edit/],
  },

  {
    service: "qualytics",
    route: "POST /api/datastores/connection",
    caller: "provider",
    phases: ["create", "update"],
    chain: "qualytics",
    names: [/Qualytics datastores\/connection \(test\)/],
  },
  { service: "qualytics", route: "POST /api/datastores", caller: "provider", phases: ["create"], chain: "qualytics", names: [/Qualytics datastores\/create/] },
  // The saved datastore's test: after a connection change (a create takes `connected` from its answer).
  {
    service: "qualytics",
    route: "POST /api/datastores/*/connection",
    caller: "provider",
    phases: ["update"],
    chain: "qualytics",
    names: [/Qualytics datastores\/\{id\}\/connection \(test\)/],
  },
  {
    service: "qualytics",
    route: "PATCH /api/datastores/*/enrichment/*",
    caller: "provider",
    phases: ["create"],
    chain: "qualytics",
    names: [/Qualytics datastores\/\{id\}\/enrichment \(link\)/],
  },
  {
    service: "qualytics",
    route: "PUT /api/connections/*",
    caller: "provider",
    phases: ["update"],
    chain: "qualytics",
    names: [/Qualytics connections\/update/],
  },
  { service: "qualytics", route: "PUT /api/datastores/*", caller: "provider", phases: ["update"], chain: "qualytics", names: [/Qualytics datastores\/update/] },
  {
    service: "qualytics",
    route: "DELETE /api/datastores/*",
    caller: "provider",
    phases: ["delete"],
    chain: "qualytics",
    names: [/Qualytics datastores\/delete/],
  },
  {
    service: "qualytics",
    route: "DELETE /api/connections/*",
    caller: "provider",
    phases: ["delete"],
    chain: "qualytics",
    names: [/Qualytics connections\/delete/],
  },
  // Qualytics' connection test asks Databricks about the warehouse: a failure there is Qualytics' verdict.
  {
    service: "databricks",
    route: "GET /api/2.0/sql/warehouses/*",
    caller: "Qualytics",
    phases: ["create", "update"],
    chain: "qualytics",
    names: [/Qualytics could not connect/],
  },
];

export type FaultKind = "429" | "500" | "503" | "reset" | "slow";
export const FAULT_KINDS: FaultKind[] = ["429", "500", "503", "reset", "slow"];

/** Client timeouts of the run: the provider's (engine env) and the services' own, to Databricks. */
export const PROVIDER_TIMEOUT_MS = 2000;
export const DOWNSTREAM_TIMEOUT_MS = 600;

/** The fault of one kind on one step; "slow" outlasts the timeout of whoever sends the call. */
export function faultFor(step: WriteStep, kind: FaultKind, count: number): Fault {
  const slowMs = (step.caller === "provider" ? PROVIDER_TIMEOUT_MS : DOWNSTREAM_TIMEOUT_MS) + 1000;
  const spec: Record<FaultKind, Omit<Fault, "route" | "count">> = {
    "429": { kind: "status", status: 429, retryAfterSeconds: 1 },
    "500": { kind: "status", status: 500 },
    "503": { kind: "status", status: 503 },
    reset: { kind: "reset" },
    // The service acts; only its answer is late: the caller must find out what happened.
    slow: { kind: "slow-answer", delayMs: slowMs },
  };
  return { route: step.route, count, ...spec[kind] };
}

/** What the cause part of a failure message says for each kind (as the provider or a service words it). */
export const CAUSE: Record<FaultKind, RegExp> = {
  "429": /429|Too many requests|REQUEST_LIMIT_EXCEEDED|rate/i,
  "500": /500|INTERNAL_ERROR|Internal Server Error|temporarily unavailable/i,
  "503": /503|TEMPORARILY_UNAVAILABLE|Service Unavailable|temporarily unavailable/i,
  reset: /ECONNRESET|socket hang up|connection failed|Connection refused|could not reach|reset/i,
  slow: /timeout|timed out|no answer within|could not reach/i,
};
