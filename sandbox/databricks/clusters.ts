import type { FastifyInstance, FastifyRequest } from "fastify";
import { READ_ONLY_CLUSTER_FIELDS } from "./clusters-read-only";
import type { WorkspaceArea, WorkspaceRuntime } from "./workspace";
import type { ClusterSeed } from "./seed";
import { invalidParameter, invalidState } from "./errors";
import {
  CLUSTERS_AREA,
  clustersState,
  findClusterRecord,
  loadCluster,
  newClusterId,
  stateWord,
  type ClusterPermissionLevel,
  type ClusterRecord,
  type ClustersState,
} from "./clusters-state";
import {
  beginResize,
  beginTermination,
  launch,
  newLifecycle,
  recordEvent,
  seededLifecycle,
  settleCluster,
  userRequestReason,
  workerCount,
} from "./clusters-lifecycle";
import { acceptSpec, firstIssue, resizeSchema } from "./clusters-spec";
import { eventsPage, eventsRequestSchema } from "./clusters-events";
import { listPage, parseListQuery } from "./clusters-list";
import { creatorGrant, hasLevel, requireLevel } from "./permissions";
import { forgetClusterLibraries } from "./libraries";
import { enforcePolicy, findPolicy } from "./cluster-policies";
import { listNodeTypes, runtimeFields, sparkVersions } from "./clusters-catalog";
import { DatabricksApiError } from "./errors";

/**
 * What `clusters/get` (and each `list` item) returns: the spec plus the read-only fields; on get
 * also the runtime fields of a cluster whose driver is up and `spec`, the spec as last submitted.
 */
export function clusterView(rec: ClusterRecord, host?: string): Record<string, unknown> {
  const lc = rec.lifecycle;
  const detail = host === undefined ? {} : { ...runtimeFields(host, rec, workerCount(rec.spec)), spec: structuredClone(rec.submitted ?? rec.spec) };
  const name = typeof rec.spec.cluster_name === "string" ? rec.spec.cluster_name : "";
  return {
    cluster_id: rec.clusterId,
    creator_user_name: rec.creatorUserName,
    ...rec.spec,
    state: lc.state,
    state_message: lc.stateMessage,
    start_time: rec.createdAt,
    ...(lc.lastLaunchAt !== null ? { last_restarted_time: lc.lastLaunchAt } : {}),
    ...(lc.terminatedTime !== null ? { terminated_time: lc.terminatedTime } : {}),
    ...(lc.terminationReason ? { termination_reason: lc.terminationReason } : {}),
    default_tags: { Vendor: "Databricks", Creator: rec.creatorUserName, ClusterName: name, ClusterId: rec.clusterId },
    cluster_source: rec.clusterSource,
    ...detail,
  };
}

/**
 * `clusters/update` may name in `update_mask` the spec's own fields, none the service sets: the
 * SDK's `UpdateClusterResource` has none of them (see clusters-read-only.ts). Unconfirmed: the
 * exact answer to a mask naming one; we chose INVALID_PARAMETER_VALUE, as for other bad masks.
 */
const READ_ONLY_MASK_FIELDS = new Set(READ_ONLY_CLUSTER_FIELDS);

/** A create/edit/update body as the service keeps it: validated, defaults applied, the policy enforced. */
function acceptWithPolicy(ws: WorkspaceRuntime, body: unknown, callerUserName: string): { spec: Record<string, unknown>; submitted: Record<string, unknown> } {
  // The policy's fixed (and asked-for default) values go in first, so the server defaults that
  // follow from them apply too (a policy fixing SINGLE_USER gets the caller as single user).
  const policed = body && typeof body === "object" && !Array.isArray(body) ? enforcePolicy(ws, body as Record<string, unknown>) : body;
  const spec = acceptSpec(policed, { host: ws.host, callerUserName });
  // What the client sent, less what the service ignores (read-only fields, the id).
  const sent = body as Record<string, unknown>;
  const submitted = Object.fromEntries(
    Object.entries(sent)
      .filter(([k, v]) => k !== "cluster_id" && v !== undefined && k in spec)
      .map(([k, v]) => [k, structuredClone(v)]),
  );
  return { spec, submitted };
}

/** `Cluster X is in unexpected state Running.`, as the real service answers a wrong-state call. */
const unexpectedState = (rec: ClusterRecord) => invalidState(`Cluster ${rec.clusterId} is in unexpected state ${stateWord(rec.lifecycle.state)}.`);

function requireClusterId(source: unknown): string {
  const id = (source as { cluster_id?: unknown } | undefined)?.cluster_id;
  if (typeof id !== "string" || id === "") throw invalidParameter("Missing required field: cluster_id");
  return id;
}

/** A seed's spec, validated like a create body; a bad seed fails loudly at startup. */
function seededSpec(spec: Record<string, unknown>, host: string, owner: string): Record<string, unknown> {
  try {
    return acceptSpec(spec, { host, callerUserName: owner });
  } catch (err) {
    throw new Error(`invalid seed cluster ${JSON.stringify(spec.cluster_name)}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Seeded clusters under a policy get its fixed values like created ones (policies are seeded
 * first). A policy the seed does not define stands for one deleted since: the cluster keeps the
 * id unchecked, and its next edit or update must name an existing policy or none.
 */
function enforcePolicySeeded(ws: WorkspaceRuntime, spec: Record<string, unknown>): Record<string, unknown> {
  if (typeof spec.policy_id === "string" && !findPolicy(ws, spec.policy_id)) return spec;
  try {
    return enforcePolicy(ws, spec);
  } catch (err) {
    throw new Error(`invalid seed cluster ${JSON.stringify(spec.cluster_name)}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function seedRecord(seed: ClusterSeed, ws: WorkspaceRuntime, now: number, taken: Set<string>): ClusterRecord {
  const { cluster_id: seededId, owner, acl, state, cluster_source: source, ...spec } = seed;
  const clusterId = seededId ?? newClusterId(now, (id) => taken.has(id));
  taken.add(clusterId);
  const rec: ClusterRecord = {
    clusterId,
    creatorUserName: owner,
    // Seeded clusters stand for ones people made in the UI, unless the seed says otherwise.
    clusterSource: typeof source === "string" ? source : "UI",
    createdAt: now,
    spec: seededSpec(enforcePolicySeeded(ws, spec), ws.host, owner),
    lifecycle: seededLifecycle(state, now, owner),
    acl: [
      creatorGrant(owner),
      ...acl.filter((e) => e.user_name !== owner).map((e) => ({ kind: "user_name" as const, name: e.user_name, level: e.permission_level })),
    ],
    events: [],
  };
  recordEvent(ws, rec, "CREATING", now, { user: owner });
  const workers = workerCount(rec.spec);
  if (state === "RUNNING") recordEvent(ws, rec, "RUNNING", now, { current_num_workers: workers, target_num_workers: workers });
  else recordEvent(ws, rec, "TERMINATING", now, { reason: rec.lifecycle.terminationReason });
  return rec;
}

/**
 * The Clusters API, served under both `/api/2.1/clusters/*` and `/api/2.0/clusters/*`.
 *
 * Access follows cluster ACLs with cluster visibility control on (the default for workspaces
 * since December 2020): list shows only clusters the caller holds at least CAN_ATTACH_TO on, and
 * get/events of any other cluster is 403. Start, restart and terminate need CAN_RESTART; edit,
 * resize and permanent-delete need CAN_MANAGE. Any user may create (the cluster-creation
 * entitlement is not modelled); the creator gets CAN_MANAGE.
 */
export const clustersArea: WorkspaceArea<ClustersState> = {
  name: CLUSTERS_AREA,
  init(seed, ws) {
    const now = ws.clock.now();
    const taken = new Set(seed.clusters.flatMap((c) => (c.cluster_id ? [c.cluster_id] : [])));
    return { clusters: seed.clusters.map((c) => seedRecord(c, ws, now, taken)) };
  },
  routes(app: FastifyInstance, ws: WorkspaceRuntime) {
    /** The cluster whose `cluster_id` is in `from` (else 400/404) and the caller, who must hold `level` on it (else 403). */
    const permitted = (req: FastifyRequest, from: unknown, level: ClusterPermissionLevel) => {
      const caller = ws.caller(req);
      const rec = loadCluster(ws, requireClusterId(from));
      requireLevel(rec, caller, level);
      return { caller, rec };
    };

    for (const version of ["2.0", "2.1"] as const) {
      const base = `/api/${version}/clusters`;

      app.post(`${base}/create`, async (req) => {
        const caller = ws.caller(req);
        const { spec, submitted } = acceptWithPolicy(ws, req.body, caller.userName);
        const now = ws.clock.now();
        const rec: ClusterRecord = {
          clusterId: newClusterId(now, (id) => findClusterRecord(ws, id) !== undefined),
          creatorUserName: caller.userName,
          clusterSource: "API",
          createdAt: now,
          spec,
          submitted,
          lifecycle: newLifecycle(now),
          acl: [creatorGrant(caller.userName)],
          events: [],
        };
        recordEvent(ws, rec, "CREATING", now, { user: caller.userName });
        launch(ws, rec, "PENDING");
        clustersState(ws).clusters.push(rec);
        ws.save();
        return { cluster_id: rec.clusterId };
      });

      app.get(`${base}/get`, async (req) => {
        const { rec } = permitted(req, req.query, "CAN_ATTACH_TO");
        return clusterView(rec, ws.host);
      });

      // 2.0 returns every cluster at once; 2.1 pages with page_size / page_token.
      app.get(`${base}/list`, async (req) => {
        const caller = ws.caller(req);
        const request = parseListQuery(req.query as Record<string, string | string[] | undefined>);
        const all = clustersState(ws).clusters;
        if (all.map((rec) => settleCluster(ws, rec)).some(Boolean)) ws.save();
        const visible = all.filter((rec) => hasLevel(rec, caller, "CAN_ATTACH_TO"));
        const { clusters, ...tokens } = listPage(visible, request, version === "2.1");
        // Proto3 JSON leaves out an empty list: clients must read a missing `clusters` as none.
        return { ...(clusters.length > 0 ? { clusters: clusters.map((rec) => clusterView(rec)) } : {}), ...tokens };
      });

      /** Puts a new spec in place; a running cluster restarts to apply it, a terminated one uses it at next start. */
      const applySpec = (rec: ClusterRecord, userName: string, accepted: { spec: Record<string, unknown>; submitted: Record<string, unknown> }) => {
        const state = rec.lifecycle.state;
        const now = ws.clock.now();
        recordEvent(ws, rec, "EDITED", now, { user: userName, previous_attributes: rec.spec, attributes: accepted.spec });
        rec.spec = accepted.spec;
        rec.submitted = accepted.submitted;
        if (state === "RUNNING") {
          launch(ws, rec, "RESTARTING");
          recordEvent(ws, rec, "RESTARTING", now, { user: userName });
        }
        ws.save();
      };

      // The full spec: every field the body leaves out is reset, as on the real API. That includes
      // policy_id: an edit without it (Hopsworks' lossy edit sends none) takes the cluster out of
      // its policy, and the cluster keeps the values as sent, the policy's fixed ones included.
      // The real service allows that to users who may create unrestricted clusters and refuses it
      // to others; the sandbox models the former (workspace admins and the default `users` group
      // have unrestricted cluster creation in new workspaces), so Hopsworks' configure succeeds
      // and the policy must be put back by whoever owns the cluster's spec.
      app.post(`${base}/edit`, async (req) => {
        const { caller, rec } = permitted(req, req.body, "CAN_MANAGE");
        const accepted = acceptWithPolicy(ws, req.body, caller.userName);
        const state = rec.lifecycle.state;
        if (state !== "RUNNING" && state !== "TERMINATED") throw unexpectedState(rec);
        applySpec(rec, caller.userName, accepted);
        return {};
      });

      // Partial update: only the top-level fields named in `update_mask` (a comma-separated field
      // mask) are taken from `cluster`; a named field absent from `cluster` is cleared. The same
      // states as edit; the result is validated and policed as a whole. Older workspaces lack it.
      app.post(`${base}/update`, async (req) => {
        if (ws.data.clustersUpdate === false) {
          throw new DatabricksApiError(404, "ENDPOINT_NOT_FOUND", `No API found for 'POST ${base}/update'`);
        }
        const body = (req.body ?? {}) as { cluster_id?: unknown; update_mask?: unknown; cluster?: unknown };
        const { caller, rec } = permitted(req, body, "CAN_MANAGE");
        if (typeof body.update_mask !== "string" || body.update_mask.trim() === "") throw invalidParameter("Missing required field: update_mask");
        const fields = body.update_mask
          .split(",")
          .map((f) => f.trim())
          .filter(Boolean);
        const bad = fields.find((f) => READ_ONLY_MASK_FIELDS.has(f) || f.includes(".") || f === "*");
        if (bad) throw invalidParameter(`Invalid update_mask: field '${bad}' cannot be updated`);
        const cluster = (body.cluster && typeof body.cluster === "object" ? body.cluster : {}) as Record<string, unknown>;
        const merged: Record<string, unknown> = { ...structuredClone(rec.spec), cluster_id: rec.clusterId };
        for (const field of fields) {
          if (cluster[field] === undefined) delete merged[field];
          else merged[field] = structuredClone(cluster[field]);
        }
        const accepted = acceptWithPolicy(ws, merged, caller.userName);
        const state = rec.lifecycle.state;
        if (state !== "RUNNING" && state !== "TERMINATED") throw unexpectedState(rec);
        applySpec(rec, caller.userName, accepted);
        return {};
      });

      app.get(`${base}/spark-versions`, async (req) => {
        ws.caller(req);
        return sparkVersions();
      });

      app.get(`${base}/list-node-types`, async (req) => {
        ws.caller(req);
        return listNodeTypes(ws.host);
      });

      // Pinning needs Can Manage (workspace admins in the UI); repeating it is a no-op.
      for (const [route, pinned] of [
        ["pin", true],
        ["unpin", false],
      ] as const) {
        app.post(`${base}/${route}`, async (req) => {
          const { rec } = permitted(req, req.body, "CAN_MANAGE");
          rec.pinned = pinned;
          ws.save();
          return {};
        });
      }

      // Start takes a terminated cluster, restart a running one; both need Can Restart.
      const launches = [
        { route: "start", from: "TERMINATED", as: "PENDING", event: "STARTING" },
        { route: "restart", from: "RUNNING", as: "RESTARTING", event: "RESTARTING" },
      ] as const;
      for (const { route, from, as, event } of launches) {
        app.post(`${base}/${route}`, async (req) => {
          const { caller, rec } = permitted(req, req.body, "CAN_RESTART");
          if (rec.lifecycle.state !== from) throw unexpectedState(rec);
          launch(ws, rec, as);
          recordEvent(ws, rec, event, ws.clock.now(), { user: caller.userName });
          ws.save();
          return {};
        });
      }

      app.post(`${base}/resize`, async (req) => {
        const { caller, rec } = permitted(req, req.body, "CAN_MANAGE");
        const body = resizeSchema.safeParse(req.body);
        if (!body.success) throw invalidParameter(firstIssue(body.error));
        if (rec.lifecycle.state !== "RUNNING") throw unexpectedState(rec);
        const before = workerCount(rec.spec);
        const { num_workers: numWorkers, autoscale } = body.data;
        const spec = { ...rec.spec };
        delete spec.num_workers;
        delete spec.autoscale;
        rec.spec = { ...spec, ...(autoscale ? { autoscale } : { num_workers: numWorkers }) };
        beginResize(ws, rec);
        recordEvent(ws, rec, "RESIZING", ws.clock.now(), {
          current_num_workers: before,
          target_num_workers: workerCount(rec.spec),
          user: caller.userName,
        });
        ws.save();
        return {};
      });

      // Terminate. Asking again while it terminates (or once it has) is a successful no-op.
      app.post(`${base}/delete`, async (req) => {
        const { caller, rec } = permitted(req, req.body, "CAN_RESTART");
        const state = rec.lifecycle.state;
        if (state === "TERMINATING" || state === "TERMINATED") return {};
        beginTermination(ws, rec, userRequestReason(caller.userName));
        ws.save();
        return {};
      });

      app.post(`${base}/permanent-delete`, async (req) => {
        const { rec } = permitted(req, req.body, "CAN_MANAGE");
        const clusters = clustersState(ws).clusters;
        clusters.splice(clusters.indexOf(rec), 1);
        forgetClusterLibraries(ws, rec.clusterId);
        ws.save();
        return {};
      });

      app.post(`${base}/events`, async (req) => {
        const body = eventsRequestSchema.safeParse(req.body ?? {});
        if (!body.success) throw invalidParameter(firstIssue(body.error));
        const rec = loadCluster(ws, body.data.cluster_id);
        requireLevel(rec, ws.caller(req), "CAN_ATTACH_TO");
        return eventsPage(rec, body.data, ws.clock.now());
      });
    }
  },
};
