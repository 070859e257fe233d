import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { SandboxUser, WorkspaceArea, WorkspaceRuntime } from "./workspace";
import { invalidParameter, notFound, permissionDenied } from "./errors";
import {
  CLUSTER_PERMISSION_LEVELS,
  findClusterRecord,
  type ClusterAclEntry,
  type ClusterPermissionLevel,
  type ClusterRecord,
  type PrincipalKind,
} from "./clusters-state";
import { settleCluster } from "./clusters-lifecycle";

/** Built-in groups every workspace has; the sandbox models no other groups. */
const ADMINS_GROUP = "admins";
const ALL_USERS_GROUP = "users";

const rank = (level: ClusterPermissionLevel): number => CLUSTER_PERMISSION_LEVELS.indexOf(level);

/** How the service words a level in permission errors ("Attach To", "Restart", "Manage"). */
const LEVEL_WORDS: Record<ClusterPermissionLevel, string> = {
  CAN_ATTACH_TO: "Attach To",
  CAN_RESTART: "Restart",
  CAN_MANAGE: "Manage",
};

/**
 * The caller's effective level on a cluster, or null for none. Workspace admins have CAN_MANAGE
 * on every cluster (through the admins group); everyone else gets the highest of their own
 * grant and the `users` group's.
 */
export function effectiveLevel(rec: ClusterRecord, user: SandboxUser): ClusterPermissionLevel | null {
  if (user.admin) return "CAN_MANAGE";
  let best: ClusterPermissionLevel | null = null;
  for (const entry of rec.acl) {
    const applies = (entry.kind === "user_name" && entry.name === user.userName) || (entry.kind === "group_name" && entry.name === ALL_USERS_GROUP);
    if (applies && (best === null || rank(entry.level) > rank(best))) best = entry.level;
  }
  return best;
}

export const hasLevel = (rec: ClusterRecord, user: SandboxUser, needed: ClusterPermissionLevel): boolean => {
  const level = effectiveLevel(rec, user);
  return level !== null && rank(level) >= rank(needed);
};

/**
 * 403 unless the caller holds `needed` on the cluster. The real wording is not documented; this
 * follows the shape of the messages Databricks gives for workspace ACL denials.
 */
export function requireLevel(rec: ClusterRecord, user: SandboxUser, needed: ClusterPermissionLevel): void {
  if (!hasLevel(rec, user, needed)) {
    throw permissionDenied(`User ${user.userName} does not have ${LEVEL_WORDS[needed]} permissions on cluster ${rec.clusterId}.`);
  }
}

/** The creator's grant on a new cluster. */
export const creatorGrant = (userName: string): ClusterAclEntry => ({ kind: "user_name", name: userName, level: "CAN_MANAGE" });

const aclRequestEntry = z.object({
  user_name: z.string().min(1).optional(),
  group_name: z.string().min(1).optional(),
  service_principal_name: z.string().min(1).optional(),
  permission_level: z.string(),
});
const aclRequestBody = z.object({ access_control_list: z.array(aclRequestEntry).default([]) });
type AclRequestEntry = z.infer<typeof aclRequestEntry>;

/** The Permissions API's view of a cluster ACL; admins appear as the inherited admins group. */
function objectPermissions(rec: ClusterRecord) {
  return {
    object_id: `/clusters/${rec.clusterId}`,
    object_type: "cluster",
    access_control_list: [
      ...rec.acl.map((e) => ({ [e.kind]: e.name, all_permissions: [{ permission_level: e.level, inherited: false }] })),
      {
        group_name: ADMINS_GROUP,
        all_permissions: [{ permission_level: "CAN_MANAGE", inherited: true, inherited_from_object: ["/clusters/"] }],
      },
    ],
  };
}

/**
 * Turns request entries into stored grants, checking principals exist and levels fit a cluster.
 * The admins group is inherited and cannot be lowered; naming it with CAN_MANAGE is a no-op.
 */
function toGrants(ws: WorkspaceRuntime, entries: AclRequestEntry[]): ClusterAclEntry[] {
  const grants: ClusterAclEntry[] = [];
  for (const entry of entries) {
    const principals = (["user_name", "group_name", "service_principal_name"] as PrincipalKind[]).filter((k) => entry[k] !== undefined);
    if (principals.length !== 1) {
      throw invalidParameter("Exactly one of user_name, group_name or service_principal_name must be set in an access control entry");
    }
    const kind = principals[0]!;
    const name = entry[kind]!;
    const level = entry.permission_level;
    if (!(CLUSTER_PERMISSION_LEVELS as readonly string[]).includes(level)) {
      const allowed = CLUSTER_PERMISSION_LEVELS.join(", ");
      throw invalidParameter(`Permission level ${level} is not supported for clusters; allowed levels: ${allowed}`);
    }
    if (kind === "group_name" && name === ADMINS_GROUP) {
      if (level !== "CAN_MANAGE") throw invalidParameter(`Cannot change permissions for group '${ADMINS_GROUP}' to ${level}.`);
      continue;
    }
    const exists = (kind === "user_name" && ws.user(name) !== undefined) || (kind === "group_name" && name === ALL_USERS_GROUP);
    if (!exists) {
      const label = kind === "user_name" ? "UserName" : kind === "group_name" ? "GroupName" : "ServicePrincipalName";
      throw invalidParameter(`Principal: ${label}(${name}) does not exist`);
    }
    const grant: ClusterAclEntry = { kind, name, level: level as ClusterPermissionLevel };
    const same = grants.findIndex((g) => g.kind === kind && g.name === name);
    if (same >= 0) grants[same] = rank(grant.level) > rank(grants[same]!.level) ? grant : grants[same]!;
    else grants.push(grant);
  }
  return grants;
}

/**
 * Cluster ACLs through `/api/2.0/permissions/clusters/{id}`. The grants are stored on the cluster
 * records they guard (so they vanish with the cluster); this area only serves the routes.
 *
 * Choices where the public sources are silent: an unknown cluster is 404 RESOURCE_DOES_NOT_EXIST
 * (the Permissions service, unlike the Clusters API, reports missing objects that way); reading
 * the ACL needs CAN_MANAGE (the stricter reading: only managers see the sharing dialog), listing
 * permission levels needs only visibility (CAN_ATTACH_TO).
 */
export const clusterPermissionsArea: WorkspaceArea<Record<string, never>> = {
  name: "cluster-permissions",
  init: () => ({}),
  routes(app: FastifyInstance, ws: WorkspaceRuntime) {
    const base = "/api/2.0/permissions/clusters/:cluster_id";

    const load = (clusterId: string): ClusterRecord => {
      const rec = findClusterRecord(ws, clusterId);
      if (!rec) throw notFound(`Cluster ${clusterId} does not exist`);
      if (settleCluster(ws, rec)) ws.save();
      return rec;
    };
    const parseAcl = (body: unknown): AclRequestEntry[] => {
      const parsed = aclRequestBody.safeParse(body ?? {});
      if (!parsed.success) throw invalidParameter(parsed.error.issues[0]?.message ?? "Invalid access_control_list");
      return parsed.data.access_control_list;
    };

    app.get<{ Params: { cluster_id: string } }>(base, async (req) => {
      const rec = load(req.params.cluster_id);
      requireLevel(rec, ws.caller(req), "CAN_MANAGE");
      return objectPermissions(rec);
    });

    // PUT replaces every direct grant, the caller's own included (the real service does not
    // keep the creator's CAN_MANAGE; Terraform re-adds the caller itself for that reason).
    app.put<{ Params: { cluster_id: string } }>(base, async (req) => {
      const rec = load(req.params.cluster_id);
      requireLevel(rec, ws.caller(req), "CAN_MANAGE");
      rec.acl = toGrants(ws, parseAcl(req.body));
      ws.save();
      return objectPermissions(rec);
    });

    // PATCH sets the level of each named principal and leaves the others alone.
    app.patch<{ Params: { cluster_id: string } }>(base, async (req) => {
      const rec = load(req.params.cluster_id);
      requireLevel(rec, ws.caller(req), "CAN_MANAGE");
      for (const grant of toGrants(ws, parseAcl(req.body))) {
        const existing = rec.acl.findIndex((e) => e.kind === grant.kind && e.name === grant.name);
        if (existing >= 0) rec.acl[existing] = grant;
        else rec.acl.push(grant);
      }
      ws.save();
      return objectPermissions(rec);
    });

    app.get<{ Params: { cluster_id: string } }>(`${base}/permissionLevels`, async (req) => {
      const rec = load(req.params.cluster_id);
      requireLevel(rec, ws.caller(req), "CAN_ATTACH_TO");
      return {
        permission_levels: [
          { permission_level: "CAN_ATTACH_TO", description: "Can attach notebooks to the cluster" },
          { permission_level: "CAN_RESTART", description: "Can start, restart and terminate the cluster" },
          { permission_level: "CAN_MANAGE", description: "Can edit the cluster and change its permissions" },
        ],
      };
    });
  },
};
