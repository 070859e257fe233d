/**
 * The stack configuration that points the main example at the sandbox, derived from the seed
 * (`sandbox/seed.json`) so the seed stays the one place that says what the sandbox holds. A
 * real deployment sets the same keys by hand (examples/real-services).
 */
import * as fs from "fs";
import * as path from "path";
import { sandboxConfigSchema, type SandboxConfig } from "../../sandbox";

export const MAIN_PROJECT = "databricks-integrations-main";
export const MAIN_STACK = "sandbox";

/**
 * sandbox/seed.json as the sandbox reads it (its own config schema: defaults filled in, Qualytics
 * tokens given by their claims signed).
 */
export function readSeed(repoRoot: string): SandboxConfig {
  return sandboxConfigSchema.parse(JSON.parse(fs.readFileSync(path.join(repoRoot, "sandbox", "seed.json"), "utf8")));
}

/** A seed id the stack config needs (the schema lets the sandbox assign one when absent). */
function seeded(id: string | undefined, what: string): string {
  if (!id) throw new Error(`sandbox/seed.json gives no ${what}: the main platform's config names it`);
  return id;
}

/** The first workspace's cluster ids, in seed order (the clusters the main platform configures). */
export const seededClusterIds = (seed: SandboxConfig): string[] =>
  seed.databricks.workspaces[0].clusters.map((c) => seeded(c.cluster_id, `cluster_id of ${c.cluster_name}`));

export interface StackConfig {
  config: Record<string, string>;
  secretConfig: Record<string, string>;
}

/**
 * The first workspace, Hopsworks instance and Qualytics instance of the seed. The Hopsworks
 * login is the first project's owner (a Data owner may configure clusters for members); each
 * seeded cluster is configured for the project member who owns it.
 */
export function sandboxStackConfig(seed: SandboxConfig, endpoints: Record<string, string>): StackConfig {
  const workspace = seed.databricks.workspaces[0];
  const admin = workspace.users.find((u) => u.admin)!;
  const hopsworks = seed.hopsworks.instances[0];
  const project = hopsworks.projects[0];
  const owner = hopsworks.users.find((u) => u.email === project.owner)!;
  const qualytics = seed.qualytics.instances[0];
  const clusterIds = seededClusterIds(seed);
  const featureStoreClusters = Object.fromEntries(
    workspace.clusters.map((c, i) => [c.cluster_name, { clusterId: clusterIds[i], user: hopsworks.users.find((u) => u.email === c.owner)!.username }]),
  );
  return {
    config: {
      "databricks:host": workspace.host,
      "hopsworks:host": hopsworks.host,
      "hopsworks:project": project.name,
      "hopsworks:email": owner.email,
      "qualytics:url": `https://${qualytics.host}/api`,
      "platform:sqlHttpPath": `/sql/1.0/warehouses/${seeded(workspace.warehouses[0].id, "warehouse id")}`,
      "platform:featureStoreClusters": JSON.stringify(featureStoreClusters),
      "databricks-integrations:endpoints": JSON.stringify(endpoints),
    },
    secretConfig: {
      "databricks:token": admin.tokens[0].value,
      "hopsworks:password": owner.password,
      "qualytics:token": qualytics.users[0].tokens[0].value,
    },
  };
}
