import { ConfigurationError } from "../core/errors";
import type { ClusterPolicy, DatabricksClient } from "./client";

/** One rule of a policy definition, as the Cluster Policies API documents them. */
interface PolicyRule {
  type?: string;
  value?: unknown;
  values?: unknown[];
  pattern?: string;
  minValue?: number;
  maxValue?: number;
}

/** What a tool is about to write into a cluster: Spark properties, custom tags, init script destinations. */
export interface IntendedSettings {
  sparkConf: Record<string, string>;
  customTags: Record<string, string>;
  initScriptDestinations: string[];
}

const rulesOf = (policy: ClusterPolicy): Record<string, PolicyRule> => {
  try {
    const parsed = JSON.parse(policy.definition ?? "{}") as unknown;
    return parsed && typeof parsed === "object" ? (parsed as Record<string, PolicyRule>) : {};
  } catch {
    // A definition we cannot read: let Databricks judge the edit itself.
    return {};
  }
};

/** Why `value` breaks `rule`, or undefined when it does not. */
function breaks(rule: PolicyRule, value: string): string | undefined {
  switch (rule.type) {
    case "forbidden":
      return "forbids it";
    case "fixed":
      return String(rule.value) === value ? undefined : `fixes it to ${JSON.stringify(rule.value)}`;
    case "allowlist":
      return (rule.values ?? []).map(String).includes(value) ? undefined : `allows only ${JSON.stringify(rule.values)}`;
    case "blocklist":
      return (rule.values ?? []).map(String).includes(value) ? `blocks ${JSON.stringify(value)}` : undefined;
    case "regex":
      try {
        return new RegExp(rule.pattern ?? "").test(value) ? undefined : `requires it to match ${JSON.stringify(rule.pattern)}`;
      } catch {
        return undefined;
      }
    default:
      return undefined;
  }
}

/**
 * The rules of `policy` that what a tool is about to write would break, one line each
 * (`spark_conf.spark.serializer: the policy fixes it to "…"`). Only the paths the tool writes
 * are judged, against the values it will write; Databricks remains the judge of everything else.
 */
export function policyConflicts(policy: ClusterPolicy, intended: IntendedSettings): string[] {
  const rules = rulesOf(policy);
  const out: string[] = [];
  const judge = (path: string, value: string) => {
    const rule = rules[path];
    const why = rule && breaks(rule, value);
    if (why) out.push(`${path} (the policy ${why}; it would be ${JSON.stringify(value)})`);
  };
  for (const [key, value] of Object.entries(intended.sparkConf)) judge(`spark_conf.${key}`, value);
  for (const [key, value] of Object.entries(intended.customTags)) judge(`custom_tags.${key}`, value);
  for (const destination of intended.initScriptDestinations) {
    const kind = destination.startsWith("dbfs:") ? "dbfs" : "workspace";
    judge(`init_scripts.*.${kind}.destination`, destination);
    if (rules.init_scripts?.type === "forbidden") judge("init_scripts", destination);
  }
  return out;
}

/**
 * Fails, naming the policy and each key, when the cluster is under a policy that forbids what
 * `tool` is about to set: before the tool touches the cluster, so nothing is left half-configured.
 */
export async function assertPolicyAllows(
  client: DatabricksClient,
  cluster: { cluster_id: string; policy_id?: unknown },
  tool: string,
  intended: IntendedSettings,
): Promise<void> {
  if (typeof cluster.policy_id !== "string" || cluster.policy_id === "") return;
  const policy = await client.getClusterPolicy(cluster.policy_id);
  // A policy deleted since the cluster was made restricts nothing.
  if (!policy) return;
  const conflicts = policyConflicts(policy, intended);
  if (conflicts.length === 0) return;
  throw new ConfigurationError(
    `cluster ${cluster.cluster_id} is under cluster policy "${policy.name}" (${policy.policy_id}), which does not allow what ${tool} sets: ${conflicts.join("; ")}. ` +
      `Nothing was changed. Ask a workspace admin to allow these keys in the policy (Compute → Policies), or configure a cluster under another policy`,
  );
}
