import { UnknownValueError, type ResourceValidationArgs, type ResourceValidationPolicy } from "@pulumi/policy";
import { stackConfig } from "./stack-config";

/**
 * The policies of the `databricks-integrations` pack (served by index.ts). They read the
 * resources' inputs as the provider's `check` left them (defaults filled in); secret inputs are
 * never read, and no message quotes an input that could be one. See README.md for the reasoning.
 */

/** Type token of one of this package's dynamic resources (`dynamic.Resource` module and type). */
export const resourceType = (className: string) => `pulumi-nodejs:dynamic/databricks-integrations:${className}`;

export const TYPES = {
  token: resourceType("DatabricksAccessToken"),
  instance: resourceType("HopsworksDatabricksInstance"),
  cluster: resourceType("HopsworksConfiguredCluster"),
  source: resourceType("QualyticsDatabricksDatastore"),
  enrichment: resourceType("QualyticsDatabricksEnrichmentDatastore"),
} as const;

export const POLICY = {
  sourceHasEnrichment: "qualytics-source-has-enrichment",
  tokenExpires: "databricks-token-expires",
  tokenRotationWindow: "databricks-token-rotation-window",
  clusterForProjectMember: "hopsworks-cluster-for-project-member",
  adoptReviewed: "qualytics-adopt-is-deliberate",
} as const;

/** What `peek` answers for a value the engine does not know yet (preview). */
export const UNKNOWN = Symbol("unknown during preview");

/**
 * An input's value, `undefined` when it is not set, or UNKNOWN when it will only be known at
 * `up` (it depends on another resource's output). Reading an unknown through the SDK's proxy
 * throws; this answers instead, for policies to which "set, value unknown" is enough.
 */
export function peek(props: Record<string, unknown>, key: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(props, key)) return undefined;
  try {
    return props[key];
  } catch (err) {
    if (err instanceof UnknownValueError) return UNKNOWN;
    throw err;
  }
}

/**
 * An input the policy needs the value of. Unknown, it rethrows the SDK's UnknownValueError: the
 * SDK then reports "can't run policy … during preview" as advisory (never a violation), and the
 * policy runs for real at `up`, where every input is known before the resource is touched.
 */
function need(props: Record<string, unknown>, key: string): unknown {
  return props[key];
}

const label = (args: ResourceValidationArgs) => `"${args.name}"`;

// ---------------------------------------------------------------------------------------------
// Qualytics

const sourceHasEnrichment: ResourceValidationPolicy = {
  name: POLICY.sourceHasEnrichment,
  description: "Every Qualytics source datastore is linked to an enrichment datastore (enrichmentDatastoreId).",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.source) return;
    // Set is enough: an id that is unknown in preview (a QualyticsDatabricksEnrichmentDatastore
    // created in the same update) is a link.
    const link = peek(args.props, "enrichmentDatastoreId");
    if (link === undefined || link === null) {
      reportViolation(
        `QualyticsDatabricksDatastore ${label(args)} has no enrichment datastore: Qualytics writes anomalies, source records and remediation data there, ` +
          `and without one its findings stay inside Qualytics. Set enrichmentDatastoreId (for example a QualyticsDatabricksEnrichmentDatastore's datastoreId).`,
      );
    }
  },
};

const adoptIsDeliberate: ResourceValidationPolicy = {
  name: POLICY.adoptReviewed,
  description: "A Qualytics datastore with adopt: true takes over an existing datastore of the same name; the reviewer should know.",
  enforcementLevel: "advisory",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.source && args.type !== TYPES.enrichment) return;
    if (peek(args.props, "adopt") !== true) return;
    const name = peek(args.props, "name");
    const which = typeof name === "string" ? `a Qualytics datastore named "${name}"` : "a Qualytics datastore of the same name";
    reportViolation(
      `${label(args)} sets adopt: true: if ${which} already exists, this stack takes it over (its settings and token are replaced by this declaration, and \`pulumi destroy\` deletes it). ` +
        `Make sure that datastore is meant to be managed here.`,
    );
  },
};

// ---------------------------------------------------------------------------------------------
// Databricks tokens

export const DEFAULT_MAX_LIFETIME_DAYS = 90;

const tokenExpires: ResourceValidationPolicy = {
  name: POLICY.tokenExpires,
  description: `Every DatabricksAccessToken expires (lifetimeDays), after at most maxLifetimeDays (default ${DEFAULT_MAX_LIFETIME_DAYS}).`,
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxLifetimeDays: { type: "integer", minimum: 1, default: DEFAULT_MAX_LIFETIME_DAYS },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.token) return;
    const { maxLifetimeDays = DEFAULT_MAX_LIFETIME_DAYS } = args.getConfig<{ maxLifetimeDays?: number }>();
    const lifetime = need(args.props, "lifetimeDays");
    if (lifetime === undefined || lifetime === null) {
      reportViolation(
        `DatabricksAccessToken ${label(args)} has no lifetimeDays (it gets the workspace's default, 2 years): set lifetimeDays (at most ${maxLifetimeDays}), so a leaked token stops working soon on its own.`,
      );
    } else if (typeof lifetime === "number" && lifetime > maxLifetimeDays) {
      reportViolation(`DatabricksAccessToken ${label(args)} lives ${lifetime} days; the limit is ${maxLifetimeDays} (policy config maxLifetimeDays).`);
    }
  },
};

const tokenRotationWindow: ResourceValidationPolicy = {
  name: POLICY.tokenRotationWindow,
  description: "Every DatabricksAccessToken has a rotation window (rotateBeforeDays), so a deployment replaces it before it expires.",
  enforcementLevel: "advisory",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.token) return;
    if (peek(args.props, "rotateBeforeDays") !== undefined) return;
    const lifetime = peek(args.props, "lifetimeDays");
    reportViolation(
      typeof lifetime === "number"
        ? `DatabricksAccessToken ${label(args)} expires after ${lifetime} days and nothing rotates it: set rotateBeforeDays (e.g. 14), and an \`up\` within that window replaces it (the new token first).`
        : `DatabricksAccessToken ${label(args)} has no rotation window: with lifetimeDays, set rotateBeforeDays (e.g. 14) so an \`up\` near expiry replaces it.`,
    );
  },
};

// ---------------------------------------------------------------------------------------------
// Hopsworks clusters

/** One member of a Hopsworks project, as `GET /project/{id}/projectMembers` lists it. */
export interface ProjectMember {
  username: string;
  email?: string;
  role?: string;
}

export interface MembershipQuestion {
  project: string;
  /** The cluster's `targetUser`; unset, the cluster is configured for the deploying user. */
  targetUser?: string;
  /** The deploying user (`hopsworks:email` / HOPSWORKS_EMAIL), if known. */
  caller?: string;
  /** Policy config: the users clusters of each project may be configured for. */
  allowedUsers?: Record<string, string[]>;
  /** Live member list of the project from Hopsworks; undefined when there is no API key. */
  members?: (project: string) => Promise<ProjectMember[]>;
}

const sameUser = (a: string, b: string) => a === b || (a.includes("@") && a.toLowerCase() === b.toLowerCase());
const isMember = (who: string, m: ProjectMember) => sameUser(who, m.username) || (m.email !== undefined && sameUser(who, m.email));

/**
 * Why a cluster configured for `targetUser` (or the caller) in `project` breaks the rule, or
 * undefined when it does not. Both sources apply when both are present; with neither, the
 * answer is a violation: a mandatory policy that cannot check must not pass.
 */
export async function membershipViolation(q: MembershipQuestion): Promise<string | undefined> {
  const who = q.targetUser ?? q.caller;
  // The caller's address comes from stack config or the environment: not quoted, in case it was
  // set as a secret.
  const whoLabel = q.targetUser !== undefined ? `targetUser "${q.targetUser}"` : "the deploying user (targetUser is unset; hopsworks:email)";
  if (who === undefined) {
    return `targetUser is unset, so the cluster would be configured for the deploying user, and the policy cannot tell who that is: set targetUser, or hopsworks:email (stack config) / HOPSWORKS_EMAIL.`;
  }
  const allowed = q.allowedUsers?.[q.project];
  if (allowed === undefined && q.members === undefined) {
    return `cannot verify that ${whoLabel} is a member of Hopsworks project "${q.project}": set HOPSWORKS_API_KEY (a key of a member of the project) for a live lookup, or list the project's users under allowedUsers in the policy config.`;
  }
  if (allowed !== undefined && !allowed.some((u) => sameUser(who, u))) {
    return `${whoLabel} is not in the policy config's allowedUsers for project "${q.project}" (${allowed.join(", ") || "empty"}).`;
  }
  if (q.members !== undefined) {
    let members: ProjectMember[];
    try {
      members = await q.members(q.project);
    } catch (err) {
      return `cannot verify that ${whoLabel} is a member of Hopsworks project "${q.project}": ${err instanceof Error ? err.message : String(err)}`;
    }
    if (!members.some((m) => isMember(who, m))) {
      const names = members.map((m) => `${m.username}${m.role ? ` (${m.role})` : ""}`).join(", ");
      return `${whoLabel} is not a member of Hopsworks project "${q.project}" (members: ${names || "none"}): Hopsworks would refuse the configuration at \`up\`. Add them under Project settings → Members, or configure the cluster for a member.`;
    }
  }
  return undefined;
}

const setting = (configKey: string, envVar: string): string | undefined => {
  const value = stackConfig()[configKey] ?? process.env[envVar];
  return value === undefined || value === "" ? undefined : value;
};

/**
 * Where the provider would call Hopsworks: the same endpoint override it honours
 * (`databricks-integrations:endpoints`, else PULUMI_DATABRICKS_INTEGRATIONS_ENDPOINTS), else
 * `https://host[:port]`.
 */
export function hopsworksBaseUrl(host: string, port: number): string {
  const raw = setting("databricks-integrations:endpoints", "PULUMI_DATABRICKS_INTEGRATIONS_ENDPOINTS");
  if (raw) {
    let overrides: Record<string, unknown> = {};
    try {
      overrides = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw new Error("databricks-integrations:endpoints (or PULUMI_DATABRICKS_INTEGRATIONS_ENDPOINTS) is not a JSON object");
    }
    const url = overrides[host.toLowerCase()] ?? overrides[host];
    if (typeof url === "string" && url) return `${url.replace(/\/+$/, "")}/hopsworks-api/api`;
  }
  return `https://${host}${port === 443 ? "" : `:${port}`}/hopsworks-api/api`;
}

/** One lookup per Hopsworks and project for the whole run (a preview may check many clusters). */
const memberCache = new Map<string, Promise<ProjectMember[]>>();

/**
 * The live member list, read with an API key (`Authorization: ApiKey …`, which Hopsworks accepts
 * for project lookups): `GET /project/getProjectInfo/{name}`, then `GET /project/{id}/projectMembers`.
 */
export function liveMembers(baseUrl: string, apiKey: string): (project: string) => Promise<ProjectMember[]> {
  const get = async (path: string, what: string): Promise<unknown> => {
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${path}`, {
        headers: { Authorization: `ApiKey ${apiKey}`, Accept: "application/json" },
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      const cause = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new Error(`Hopsworks (${new URL(baseUrl).host}) did not answer ${what}: ${cause}`);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!res.ok) {
      const b = (body ?? {}) as { errorCode?: unknown; errorMsg?: unknown };
      const why = [b.errorCode !== undefined ? `errorCode ${String(b.errorCode)}` : "", typeof b.errorMsg === "string" ? b.errorMsg : ""]
        .filter(Boolean)
        .join(": ");
      const hint =
        res.status === 401
          ? " (is HOPSWORKS_API_KEY a valid key for this Hopsworks?)"
          : res.status === 403
            ? " (the API key's user must be a member of the project to list its members)"
            : "";
      throw new Error(`Hopsworks answered ${what} with ${res.status}${why ? ` (${why})` : ""}${hint}`);
    }
    return body;
  };
  return (project) => {
    const key = `${baseUrl} ${project}`;
    let pending = memberCache.get(key);
    if (!pending) {
      pending = (async () => {
        const info = (await get(`/project/getProjectInfo/${encodeURIComponent(project)}`, `the lookup of project "${project}"`)) as { projectId?: unknown };
        if (typeof info?.projectId !== "number") throw new Error(`Hopsworks' answer for project "${project}" carries no projectId`);
        const raw = (await get(`/project/${info.projectId}/projectMembers`, `the member list of project "${project}"`)) as unknown;
        const list = (Array.isArray(raw) ? raw : ((raw as { items?: unknown[] } | undefined)?.items ?? [])) as {
          user?: { username?: string; email?: string };
          teamRole?: string;
        }[];
        return list.flatMap((m) => (m.user?.username ? [{ username: m.user.username, email: m.user.email, role: m.teamRole }] : []));
      })();
      memberCache.set(key, pending);
    }
    return pending;
  };
}

const clusterForProjectMember: ResourceValidationPolicy = {
  name: POLICY.clusterForProjectMember,
  description:
    "A HopsworksConfiguredCluster is configured only for a member of its project: targetUser (or, unset, the deploying user) must be in the project, checked live with HOPSWORKS_API_KEY and/or against allowedUsers in the policy config.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowedUsers: {
        type: "object",
        description: "Project name → the users (Hopsworks username or email) its clusters may be configured for.",
        additionalProperties: { type: "array", items: { type: "string" } },
      },
    },
  },
  validateResource: async (args, reportViolation) => {
    if (args.type !== TYPES.cluster) return;
    const project = need(args.props, "project");
    const targetUser = need(args.props, "targetUser");
    if (typeof project !== "string" || !project) {
      reportViolation(`HopsworksConfiguredCluster ${label(args)} names no Hopsworks project (project input or hopsworks:project).`);
      return;
    }
    const apiKey = process.env.HOPSWORKS_API_KEY || undefined;
    let members: MembershipQuestion["members"];
    if (apiKey) {
      const host = need(args.props, "hopsworksHost");
      const port = need(args.props, "hopsworksPort");
      if (typeof host !== "string" || !host) {
        reportViolation(`HopsworksConfiguredCluster ${label(args)} names no Hopsworks host (hopsworksHost or hopsworks:host): membership cannot be checked.`);
        return;
      }
      members = liveMembers(hopsworksBaseUrl(host, typeof port === "number" ? port : 443), apiKey);
    }
    const violation = await membershipViolation({
      project,
      targetUser: typeof targetUser === "string" ? targetUser : undefined,
      caller: setting("hopsworks:email", "HOPSWORKS_EMAIL"),
      allowedUsers: args.getConfig<{ allowedUsers?: Record<string, string[]> }>().allowedUsers,
      members,
    });
    if (violation) reportViolation(`HopsworksConfiguredCluster ${label(args)}: ${violation}`);
  },
};

export const policies: ResourceValidationPolicy[] = [sourceHasEnrichment, tokenExpires, tokenRotationWindow, clusterForProjectMember, adoptIsDeliberate];
