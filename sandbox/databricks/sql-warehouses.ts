import { parseBody } from "./request";
import { createHash } from "crypto";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { DatabricksApiError, invalidParameter, invalidState, permissionDenied } from "./errors";
import type { WorkspaceArea, WorkspaceRuntime } from "./workspace";

/**
 * SQL warehouses (`/api/2.0/sql/warehouses`). States move STOPPED → STARTING → RUNNING →
 * STOPPING → STOPPED, and DELETING → DELETED, evaluated lazily from the time each phase began
 * (no timers, so a restarted sandbox continues the transition).
 */

type WarehouseState = "STARTING" | "RUNNING" | "STOPPING" | "STOPPED" | "DELETING" | "DELETED";

export interface WarehouseRecord {
  id: string;
  name: string;
  clusterSize: string;
  minNumClusters: number;
  maxNumClusters: number;
  autoStopMins: number;
  warehouseType: "CLASSIC" | "PRO";
  enableServerlessCompute: boolean;
  enablePhoton: boolean;
  creatorName: string;
  tags: { key: string; value: string }[];
  /** The phase as last written; `currentState` works out where it has got to since. */
  phase: WarehouseState;
  phaseSince: number;
}

export interface SqlWarehousesState {
  warehouses: WarehouseRecord[];
}

const AREA = "sql-warehouses";

/** Real-world durations, scaled by the sandbox clock. Classic warehouses take minutes to start. */
const START_MS = 2 * 60_000;
const STOP_MS = 30_000;

const CLUSTER_SIZES = ["2X-Small", "X-Small", "Small", "Medium", "Large", "X-Large", "2X-Large", "3X-Large", "4X-Large"] as const;

const createBody = z.object({
  name: z.string().min(1).max(100),
  cluster_size: z.enum(CLUSTER_SIZES),
  min_num_clusters: z.number().int().min(1).default(1),
  max_num_clusters: z.number().int().min(1).max(40).default(1),
  auto_stop_mins: z.number().int().min(0).default(120),
  warehouse_type: z.enum(["CLASSIC", "PRO"]).default("CLASSIC"),
  enable_serverless_compute: z.boolean().default(false),
  enable_photon: z.boolean().default(true),
  tags: z.object({ custom_tags: z.array(z.object({ key: z.string(), value: z.string() })).default([]) }).optional(),
});

/** Warehouse ids are 16 hex digits; derived from the host and a counter so runs are repeatable. */
const newWarehouseId = (ws: WorkspaceRuntime) => createHash("sha256").update(`warehouse:${ws.host}:${ws.newId()}`).digest("hex").slice(0, 16);

/** Where the warehouse is now: a finished STARTING/STOPPING/DELETING phase has moved on. */
function currentState(w: WarehouseRecord, ws: WorkspaceRuntime): WarehouseState {
  const elapsed = ws.clock.now() - w.phaseSince;
  if (w.phase === "STARTING" && elapsed >= ws.clock.duration(START_MS)) return "RUNNING";
  if ((w.phase === "STOPPING" || w.phase === "DELETING") && elapsed >= ws.clock.duration(STOP_MS)) return w.phase === "STOPPING" ? "STOPPED" : "DELETED";
  return w.phase;
}

function enterPhase(w: WarehouseRecord, phase: WarehouseState, ws: WorkspaceRuntime): void {
  w.phase = phase;
  w.phaseSince = ws.clock.now();
}

function warehouseInfo(w: WarehouseRecord, ws: WorkspaceRuntime) {
  const state = currentState(w, ws);
  const httpPath = `/sql/1.0/warehouses/${w.id}`;
  return {
    id: w.id,
    name: w.name,
    state,
    cluster_size: w.clusterSize,
    min_num_clusters: w.minNumClusters,
    max_num_clusters: w.maxNumClusters,
    auto_stop_mins: w.autoStopMins,
    num_clusters: state === "RUNNING" ? w.minNumClusters : 0,
    num_active_sessions: 0,
    warehouse_type: w.warehouseType,
    enable_serverless_compute: w.enableServerlessCompute,
    enable_photon: w.enablePhoton,
    spot_instance_policy: "COST_OPTIMIZED",
    channel: { name: "CHANNEL_NAME_CURRENT" },
    creator_name: w.creatorName,
    tags: { custom_tags: w.tags },
    odbc_params: { hostname: ws.host, path: httpPath, port: 443, protocol: "https" },
    jdbc_url: `jdbc:spark://${ws.host}:443/default;transportMode=http;ssl=1;AuthMech=3;httpPath=${httpPath};`,
    ...(state === "RUNNING" ? { health: { status: "HEALTHY" } } : {}),
  };
}

export const sqlWarehousesArea: WorkspaceArea<SqlWarehousesState> = {
  name: AREA,
  init(seed, ws) {
    const now = ws.clock.now();
    const creator = seed.users.find((u) => u.admin)?.userName ?? "admin";
    return {
      warehouses: seed.warehouses.map((w) => ({
        id: w.id ?? newWarehouseId(ws),
        name: w.name,
        clusterSize: "Small",
        minNumClusters: 1,
        maxNumClusters: 1,
        autoStopMins: 120,
        warehouseType: "CLASSIC",
        enableServerlessCompute: false,
        enablePhoton: true,
        creatorName: creator,
        tags: [],
        phase: w.state,
        phaseSince: now,
      })),
    };
  },
  routes(app: FastifyInstance, ws: WorkspaceRuntime) {
    const base = "/api/2.0/sql/warehouses";
    const state = () => ws.slice<SqlWarehousesState>(AREA);
    /** Unknown id: 404 RESOURCE_DOES_NOT_EXIST (the SDKs map 404 to not-found; wording unconfirmed). */
    const find = (id: string): WarehouseRecord => {
      const w = state().warehouses.find((x) => x.id === id);
      if (!w) throw new DatabricksApiError(404, "RESOURCE_DOES_NOT_EXIST", `Warehouse ${id} does not exist.`);
      return w;
    };
    const requireLive = (w: WarehouseRecord): WarehouseState => {
      const now = currentState(w, ws);
      if (now === "DELETING" || now === "DELETED") throw invalidState(`Warehouse ${w.id} is in state ${now} and cannot be modified.`);
      return now;
    };

    app.get(base, async () => {
      // Deleted warehouses stay readable by id for a while but drop out of the list.
      const warehouses = state()
        .warehouses.filter((w) => currentState(w, ws) !== "DELETED")
        .map((w) => warehouseInfo(w, ws));
      return warehouses.length ? { warehouses } : {};
    });

    app.get<{ Params: { id: string } }>(`${base}/:id`, async (req) => warehouseInfo(find(req.params.id), ws));

    app.post(base, async (req) => {
      const user = ws.caller(req);
      // Creating warehouses needs the SQL-warehouse-create entitlement; the sandbox gives it to admins.
      if (!user.admin) throw permissionDenied("You are not authorized to create SQL warehouses.");
      const body = parseBody(createBody, req.body);
      if (body.min_num_clusters > body.max_num_clusters) throw invalidParameter("min_num_clusters must be <= max_num_clusters");
      const record: WarehouseRecord = {
        id: newWarehouseId(ws),
        name: body.name,
        clusterSize: body.cluster_size,
        minNumClusters: body.min_num_clusters,
        maxNumClusters: body.max_num_clusters,
        autoStopMins: body.auto_stop_mins,
        warehouseType: body.warehouse_type,
        enableServerlessCompute: body.enable_serverless_compute,
        enablePhoton: body.enable_photon,
        creatorName: user.userName,
        tags: body.tags?.custom_tags ?? [],
        phase: "STARTING",
        phaseSince: ws.clock.now(),
      };
      state().warehouses.push(record);
      ws.save();
      // Create answers with the id only; the SDK waiters then poll get until RUNNING.
      return { id: record.id };
    });

    // Starting a running or starting warehouse is a no-op, as with the real API; so is stopping a stopped one.
    const moves = [
      { route: "start", from: ["STOPPED", "STOPPING"], to: "STARTING" },
      { route: "stop", from: ["RUNNING", "STARTING"], to: "STOPPING" },
    ] as const;
    for (const { route, from, to } of moves) {
      app.post<{ Params: { id: string } }>(`${base}/:id/${route}`, async (req) => {
        const w = find(req.params.id);
        if ((from as readonly WarehouseState[]).includes(requireLive(w))) {
          enterPhase(w, to, ws);
          ws.save();
        }
        return {};
      });
    }

    app.delete<{ Params: { id: string } }>(`${base}/:id`, async (req) => {
      const user = ws.caller(req);
      const w = find(req.params.id);
      if (!user.admin && user.userName !== w.creatorName) throw permissionDenied(`You do not have permission to delete warehouse ${w.id}.`);
      const now = currentState(w, ws);
      if (now !== "DELETING" && now !== "DELETED") {
        enterPhase(w, "DELETING", ws);
        ws.save();
      }
      return {};
    });
  },
};
