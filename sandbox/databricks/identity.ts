import type { FastifyInstance } from "fastify";
import { answer } from "../common/answer";
import type { WorkspaceArea, WorkspaceRuntime } from "./workspace";
import { cloudOf } from "./clusters-spec";
import { invalidParameter, permissionDenied } from "./errors";

/** Built-in groups: every user is in `users`, workspace admins also in `admins`. */
const groupsOf = (ws: WorkspaceRuntime, admin: boolean) => [
  ...(admin ? [{ display: "admins", value: ws.userId("group:admins"), $ref: `Groups/${ws.userId("group:admins")}`, type: "direct" }] : []),
  { display: "users", value: ws.userId("group:users"), $ref: `Groups/${ws.userId("group:users")}`, type: "direct" },
];

/** The workspace-conf keys the sandbox knows; others are refused as on the real API. */
const CONF_KEYS = new Set(["maxTokenLifetimeDays", "enableTokensConfig"]);

/**
 * Who the caller is, and the workspace's own description of itself:
 * - `GET /api/2.0/preview/scim/v2/Me` (the SDKs' `current_user.me()`): the one call every valid
 *   token may make, so a client tells "this token is invalid" (403 here too) from "this identity
 *   lacks a permission" (403 PERMISSION_DENIED elsewhere, 200 here);
 * - `GET /.well-known/databricks-config`: host metadata, served without authentication (the
 *   Python SDK reads it before it authenticates and warns when it cannot);
 * - `GET`/`PATCH /api/2.0/workspace-conf`: settings such as `maxTokenLifetimeDays` (string values,
 *   unset keys as null; only admins may change them).
 */
export const identityArea: WorkspaceArea<Record<string, never>> = {
  name: "identity",
  init: () => ({}),
  routes(app: FastifyInstance, ws: WorkspaceRuntime) {
    app.get("/api/2.0/preview/scim/v2/Me", async (req) => {
      const me = ws.caller(req);
      return {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:workspace:2.0:User"],
        id: ws.userId(me.userName),
        userName: me.userName,
        displayName: me.userName.split("@")[0],
        active: true,
        emails: [{ type: "work", value: me.userName, primary: true }],
        groups: groupsOf(ws, me.admin),
        entitlements: me.admin ? [{ value: "allow-cluster-create" }, { value: "workspace-access" }] : [{ value: "workspace-access" }],
      };
    });

    app.get("/.well-known/databricks-config", async () => ({
      oidc_endpoint: `https://${ws.host}/oidc`,
      workspace_id: ws.orgId,
      cloud: cloudOf(ws.host).toUpperCase(),
    }));

    app.get("/api/2.0/workspace-conf", async (req) => {
      ws.caller(req);
      const keys = String((req.query as { keys?: string }).keys ?? "")
        .split(",")
        .map((k) => k.trim())
        .filter(Boolean);
      for (const key of keys) if (!CONF_KEYS.has(key)) throw invalidParameter(`Invalid keys: ["${key}"]`);
      return Object.fromEntries(keys.map((k) => [k, ws.setting(k) ?? null]));
    });

    app.patch("/api/2.0/workspace-conf", async (req) => {
      const caller = ws.caller(req);
      if (!caller.admin) throw permissionDenied(`User ${caller.userName} is not a workspace admin.`);
      const body = (req.body ?? {}) as Record<string, unknown>;
      for (const [key, value] of Object.entries(body)) {
        if (!CONF_KEYS.has(key)) throw invalidParameter(`Invalid keys: ["${key}"]`);
        if (value !== null && typeof value !== "string") throw invalidParameter(`Invalid value for ${key}: values are strings`);
      }
      const conf = (ws.data.conf ??= {});
      for (const [key, value] of Object.entries(body)) {
        if (value === null || value === "") delete conf[key];
        else conf[key] = value as string;
      }
      ws.save();
      return answer(204);
    });
  },
};
