import type { FastifyInstance } from "fastify";
import { runOperationBody } from "./bodies";
import { operationNotFound } from "./errors";
import type { QualyticsInstance } from "./instance";
import type { DatastoreRecord, OperationRecord, OperationType } from "./model";
import { paginate, readPageRequest } from "./pagination";
import { QueryReader, parseBody, pathId } from "./request";

/**
 * Operations (sync, the former "catalog"; profile, scan, materialize, export): a sync starts
 * with `trigger_sync` on create, any of them with `POST /operations/run`; they run for a while
 * and finish with `result: "success"` and an `end_time` (or `failure`, or `aborted`). Progress is worked out from the start time on every read, so a restarted sandbox
 * continues the run. Field names follow qualytics-cli, which polls `end_time` and reads
 * `result` (`running` while under way) and the `status` counters.
 */

/** Real durations of each operation on a small Databricks schema (a sync takes about a minute). */
export const SYNC_REAL_MS = 60_000;
const REAL_MS: Record<OperationType, number> = { sync: SYNC_REAL_MS, profile: 120_000, scan: 120_000, materialize: 60_000, export: 60_000 };

export function startSync(
  inst: QualyticsInstance,
  datastore: DatastoreRecord,
  options: Partial<Pick<OperationRecord, "include" | "prune" | "recreate">> = {},
): OperationRecord {
  return startOperation(inst, datastore, "sync", options);
}

/**
 * Starts an operation. A scan of a source told to remediate (`append`/`overwrite`) with no
 * enrichment datastore linked fails: the guide says such scans fail, with nowhere to write.
 */
export function startOperation(
  inst: QualyticsInstance,
  datastore: DatastoreRecord,
  type: OperationType,
  options: Partial<Pick<OperationRecord, "include" | "prune" | "recreate">> = {},
): OperationRecord {
  const failure =
    type === "scan" && datastore.enrichmentRemediationStrategy !== "none" && datastore.enrichDatastoreId === null
      ? `The remediation strategy '${datastore.enrichmentRemediationStrategy}' needs an enrichment datastore: link one to datastore id: ${datastore.id} or set the strategy to 'none'`
      : null;
  const operation: OperationRecord = {
    id: inst.nextId("operation"),
    type,
    datastoreId: datastore.id,
    startedAt: inst.clock.now(),
    include: options.include ?? null,
    prune: options.prune ?? false,
    recreate: options.recreate ?? false,
    abortedAt: null,
    failure,
  };
  inst.data.operations.push(operation);
  return operation;
}

/** running, success, failure or aborted, worked out from the clock. */
function progress(inst: QualyticsInstance, op: OperationRecord): { result: string; endMs: number | null } {
  if (op.failure) return { result: "failure", endMs: op.startedAt };
  const endMs = op.startedAt + inst.clock.duration(REAL_MS[op.type] ?? SYNC_REAL_MS);
  if (op.abortedAt !== undefined && op.abortedAt !== null && op.abortedAt < endMs) return { result: "aborted", endMs: op.abortedAt };
  return inst.clock.now() >= endMs ? { result: "success", endMs } : { result: "running", endMs: null };
}

/** Operations still running on a datastore (the unlink rule looks at export and materialize). */
export const activeOperations = (inst: QualyticsInstance, datastoreId: number, types: OperationType[]) =>
  inst.data.operations.filter((o) => o.datastoreId === datastoreId && types.includes(o.type) && progress(inst, o).result === "running");

export function operationView(inst: QualyticsInstance, op: OperationRecord) {
  const { result, endMs } = progress(inst, op);
  const datastore = inst.data.datastores.find((d) => d.id === op.datastoreId);
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: op.id,
    created: iso(op.startedAt),
    type: op.type,
    datastore_id: op.datastoreId,
    datastore: datastore ? { id: datastore.id, name: datastore.name } : null,
    start_time: iso(op.startedAt),
    end_time: endMs === null ? null : iso(endMs),
    result,
    message: op.failure ?? null,
    include: op.include,
    prune: op.prune,
    recreate: op.recreate,
    // The Databricks sandbox has no tables, so an operation finds no containers.
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
  app.get("/api/operations", async (req) => {
    const query = new QueryReader(req.query as Record<string, string | string[] | undefined>);
    const datastores = query.list("datastore").map(Number);
    const type = query.string("operation_type");
    const results = query.list("result");
    const finished = query.string("finished") === undefined ? undefined : query.bool("finished", false);
    const sortCreated = query.sortOrder("sort_created") ?? "asc";
    const pageRequest = readPageRequest(query);
    query.done();
    const views = inst.data.operations
      .filter((o) => datastores.length === 0 || datastores.includes(o.datastoreId))
      .filter((o) => type === undefined || o.type === (type === "catalog" ? "sync" : type))
      .map((o) => operationView(inst, o))
      .filter((v) => results.length === 0 || results.includes(v.result))
      .filter((v) => finished === undefined || (v.end_time !== null) === finished)
      .sort((a, b) => (sortCreated === "asc" ? a.id - b.id : b.id - a.id));
    return paginate(views, pageRequest);
  });

  app.get("/api/operations/:operation_id", async (req) => operationView(inst, operation(inst, pathId(req.params, "operation_id"))));

  app.post("/api/operations/run", async (req) => {
    inst.requireRole(req, "Manager");
    const body = parseBody(runOperationBody, req.body);
    const datastore = inst.datastore(body.datastore_id);
    const type: OperationType = body.type === "catalog" ? "sync" : body.type;
    const op = startOperation(inst, datastore, type, { include: body.include ?? null, prune: body.prune ?? false, recreate: body.recreate ?? false });
    inst.save();
    return operationView(inst, op);
  });

  // Best effort, as qualytics-cli says: a finished operation keeps its result.
  app.put("/api/operations/abort/:operation_id", async (req) => {
    inst.requireRole(req, "Manager");
    const op = operation(inst, pathId(req.params, "operation_id"));
    if (progress(inst, op).result === "running") {
      op.abortedAt = inst.clock.now();
      inst.save();
    }
    return operationView(inst, op);
  });
}

function operation(inst: QualyticsInstance, id: number): OperationRecord {
  const op = inst.data.operations.find((o) => o.id === id);
  if (!op) throw operationNotFound(id);
  return op;
}
