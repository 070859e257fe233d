import type { FastifyInstance } from "fastify";
import { runOperationBody } from "./bodies";
import { operationNotFound } from "./errors";
import type { QualyticsInstance } from "./instance";
import type { DatastoreRecord, OperationRecord } from "./model";
import { parseBody, pathId } from "./request";

/**
 * Sync operations (the former "catalog"): started by `trigger_sync` on create or by
 * `POST /operations/run`, they run for a while and finish with `result: "success"` and an
 * `end_time`. Progress is worked out from the start time on every read, so a restarted sandbox
 * continues the run. Field names follow qualytics-cli, which polls `end_time` and reads
 * `result` (`running` while under way) and the `status` counters.
 */

/** A sync of a small Databricks schema takes about a minute in real time. */
export const SYNC_REAL_MS = 60_000;

export function startSync(inst: QualyticsInstance, datastore: DatastoreRecord, options: Partial<Pick<OperationRecord, "include" | "prune" | "recreate">> = {}): OperationRecord {
  const operation: OperationRecord = {
    id: inst.nextId("operation"),
    type: "sync",
    datastoreId: datastore.id,
    startedAt: inst.clock.now(),
    include: options.include ?? null,
    prune: options.prune ?? false,
    recreate: options.recreate ?? false,
  };
  inst.data.operations.push(operation);
  return operation;
}

export function operationView(inst: QualyticsInstance, op: OperationRecord) {
  const duration = inst.clock.duration(SYNC_REAL_MS);
  const finished = inst.clock.now() - op.startedAt >= duration;
  const datastore = inst.data.datastores.find((d) => d.id === op.datastoreId);
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: op.id,
    created: iso(op.startedAt),
    type: op.type,
    datastore_id: op.datastoreId,
    datastore: datastore ? { id: datastore.id, name: datastore.name } : null,
    start_time: iso(op.startedAt),
    end_time: finished ? iso(op.startedAt + duration) : null,
    result: finished ? "success" : "running",
    message: null,
    include: op.include,
    prune: op.prune,
    recreate: op.recreate,
    // The Databricks sandbox has no tables, so a sync discovers no containers.
    status: { total_containers: 0, containers_analyzed: 0, records_processed: 0 },
  };
}

/** The datastore's most recent operation, or null. */
export function latestOperationView(inst: QualyticsInstance, datastoreId: number) {
  const ops = inst.data.operations.filter((o) => o.datastoreId === datastoreId);
  const latest = ops.reduce<OperationRecord | undefined>((a, b) => (a && a.id > b.id ? a : b), undefined);
  return latest ? operationView(inst, latest) : null;
}

export function operationRoutes(app: FastifyInstance, inst: QualyticsInstance): void {
  app.get("/api/operations/:operation_id", async (req) => {
    const id = pathId(req.params, "operation_id");
    const op = inst.data.operations.find((o) => o.id === id);
    if (!op) throw operationNotFound(id);
    return operationView(inst, op);
  });

  app.post("/api/operations/run", async (req) => {
    inst.requireRole(req, "Manager");
    const body = parseBody(runOperationBody, req.body);
    const datastore = inst.datastore(body.datastore_id);
    const op = startSync(inst, datastore, { include: body.include ?? null, prune: body.prune ?? false, recreate: body.recreate ?? false });
    inst.save();
    return operationView(inst, op);
  });
}
