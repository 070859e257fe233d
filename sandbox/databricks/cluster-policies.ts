import type { FastifyInstance } from "fastify";
import type { WorkspaceArea, WorkspaceRuntime } from "./workspace";
import type { PolicySeed } from "./seed";
import { invalidParameter, notFound } from "./errors";
import type { ClusterSpec } from "./clusters-state";

export interface StoredPolicy {
  policyId: string;
  name: string;
  definition: string;
  description?: string;
  createdAt: number;
  creatorUserName: string;
}

export interface PoliciesState {
  policies: StoredPolicy[];
}

const AREA = "cluster-policies";

/** One rule of a policy definition (the documented rule types). */
interface PolicyRule {
  type: "fixed" | "forbidden" | "allowlist" | "blocklist" | "regex" | "range" | "unlimited";
  value?: unknown;
  values?: unknown[];
  pattern?: string;
  minValue?: number;
  maxValue?: number;
  defaultValue?: unknown;
  isOptional?: boolean;
  hidden?: boolean;
}

/** Fields whose path continues with a map key that may itself hold dots (`spark_conf.spark.x.y`). */
const MAP_FIELDS = ["spark_conf", "spark_env_vars", "custom_tags"];

export const policiesState = (ws: WorkspaceRuntime) => ws.slice<PoliciesState>(AREA);
export const findPolicy = (ws: WorkspaceRuntime, policyId: string) => policiesState(ws).policies.find((p) => p.policyId === policyId);

const rulesOf = (policy: StoredPolicy): Record<string, PolicyRule> => JSON.parse(policy.definition) as Record<string, PolicyRule>;

/** Every value a policy path names in a spec: one for a field, one per init script for `init_scripts.*.…`. */
function valuesAt(spec: ClusterSpec, path: string): { present: boolean; value: unknown }[] {
  const map = MAP_FIELDS.find((f) => path.startsWith(`${f}.`));
  if (map) {
    const key = path.slice(map.length + 1);
    const m = spec[map] as Record<string, unknown> | undefined;
    return [{ present: m?.[key] !== undefined, value: m?.[key] }];
  }
  const parts = path.split(".");
  if (parts[0] === "init_scripts") {
    const scripts = (spec.init_scripts as Record<string, unknown>[] | undefined) ?? [];
    const index = parts[1];
    const picked = index === "*" ? scripts : scripts.filter((_, i) => String(i) === index);
    return picked.map((s) => {
      let v: unknown = s;
      for (const p of parts.slice(2)) v = v && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
      return { present: v !== undefined, value: v };
    });
  }
  let v: unknown = spec;
  for (const p of parts) v = v && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
  return [{ present: v !== undefined, value: v }];
}

function setAt(spec: ClusterSpec, path: string, value: unknown): void {
  const map = MAP_FIELDS.find((f) => path.startsWith(`${f}.`));
  if (map) {
    spec[map] = { ...((spec[map] as Record<string, unknown> | undefined) ?? {}), [path.slice(map.length + 1)]: value };
    return;
  }
  const parts = path.split(".");
  if (parts[0] === "init_scripts") return; // list paths carry no defaults
  let target: Record<string, unknown> = spec;
  for (const p of parts.slice(0, -1)) {
    if (!target[p] || typeof target[p] !== "object") target[p] = {};
    target = target[p] as Record<string, unknown>;
  }
  target[parts.at(-1)!] = value;
}

const shown = (v: unknown) => (typeof v === "string" ? `"${v}"` : JSON.stringify(v));

/**
 * The spec a policy turns `spec` into, or INVALID_PARAMETER_VALUE naming the first field that
 * breaks it. Fixed values are always written in (the cluster shows them on get); default values
 * only with `apply_policy_default_values`, as the Clusters API documents. The wording follows
 * the service's "Validation failed for <path>, …" messages (exact text unconfirmed).
 */
export function enforcePolicy(ws: WorkspaceRuntime, spec: ClusterSpec): ClusterSpec {
  const policyId = spec.policy_id;
  if (typeof policyId !== "string" || policyId === "") return spec;
  const policy = findPolicy(ws, policyId);
  if (!policy) throw invalidParameter(`Cluster policy ${policyId} does not exist`);
  const out = structuredClone(spec);
  const applyDefaults = out.apply_policy_default_values === true;
  const fail = (path: string, why: string) =>
    invalidParameter(`Cluster validation error: Validation failed for ${path}, ${why} (policy "${policy.name}", ${policy.policyId})`);
  for (const [path, rule] of Object.entries(rulesOf(policy))) {
    const found = valuesAt(out, path);
    if (rule.type === "fixed") {
      for (const { present, value } of found) {
        if (present && value !== rule.value) throw fail(path, `the value must be ${shown(rule.value)} (is ${shown(value)})`);
      }
      if (found.length === 1 && !found[0]!.present) setAt(out, path, rule.value);
      continue;
    }
    if (rule.type === "forbidden") {
      if (found.some((f) => f.present)) throw fail(path, "the value cannot be present");
      continue;
    }
    if (found.length === 1 && !found[0]!.present) {
      if (applyDefaults && rule.defaultValue !== undefined) setAt(out, path, rule.defaultValue);
      else if (rule.isOptional === false) throw fail(path, "the value must be present");
      continue;
    }
    for (const { present, value } of found) {
      if (!present) continue;
      if (rule.type === "allowlist" && !(rule.values ?? []).includes(value))
        throw fail(path, `the value must be one of ${shown(rule.values)} (is ${shown(value)})`);
      if (rule.type === "blocklist" && (rule.values ?? []).includes(value))
        throw fail(path, `the value cannot be one of ${shown(rule.values)} (is ${shown(value)})`);
      if (rule.type === "regex" && !new RegExp(rule.pattern ?? "").test(String(value)))
        throw fail(path, `the value must match the regex ${shown(rule.pattern)} (is ${shown(value)})`);
      if (rule.type === "range") {
        const n = Number(value);
        if (rule.minValue !== undefined && !(n >= rule.minValue))
          throw fail(path, `the value must be greater than or equal to ${rule.minValue} (is ${shown(value)})`);
        if (rule.maxValue !== undefined && !(n <= rule.maxValue))
          throw fail(path, `the value must be less than or equal to ${rule.maxValue} (is ${shown(value)})`);
      }
    }
  }
  return out;
}

const policyView = (p: StoredPolicy) => ({
  policy_id: p.policyId,
  name: p.name,
  definition: p.definition,
  ...(p.description ? { description: p.description } : {}),
  creator_user_name: p.creatorUserName,
  created_at_timestamp: p.createdAt,
  is_default: false,
});

function seedPolicy(seed: PolicySeed, now: number, creator: string): StoredPolicy {
  try {
    JSON.parse(seed.definition);
  } catch {
    throw new Error(`invalid seed policy ${JSON.stringify(seed.name)}: definition is not JSON`);
  }
  return { policyId: seed.policy_id, name: seed.name, definition: seed.definition, description: seed.description, createdAt: now, creatorUserName: creator };
}

/**
 * Cluster policies (`/api/2.0/policies/clusters/list|get`), seeded per workspace, and enforced
 * on clusters/create, edit and update. Policy permissions (CAN_USE) are not modelled: every user
 * may use every policy.
 */
export const clusterPoliciesArea: WorkspaceArea<PoliciesState> = {
  name: AREA,
  init(seed, ws) {
    const now = ws.clock.now();
    const creator = seed.users.find((u) => u.admin)?.userName ?? "admin";
    return { policies: (seed.policies ?? []).map((p) => seedPolicy(p, now, creator)) };
  },
  routes(app: FastifyInstance, ws: WorkspaceRuntime) {
    app.get("/api/2.0/policies/clusters/list", async (req) => {
      ws.caller(req);
      const policies = policiesState(ws).policies;
      return policies.length ? { policies: policies.map(policyView), total_count: policies.length } : { total_count: 0 };
    });
    app.get("/api/2.0/policies/clusters/get", async (req) => {
      ws.caller(req);
      const id = (req.query as { policy_id?: string }).policy_id;
      if (!id) throw invalidParameter("Missing required field: policy_id");
      const policy = findPolicy(ws, id);
      // Unconfirmed whether the real service answers 404 or 400 here; 404 is what the SDKs map to not-found.
      if (!policy) throw notFound(`Policy ${id} does not exist`);
      return policyView(policy);
    });
  },
};
