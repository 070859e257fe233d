/**
 * The stack configuration that points the main example at the sandbox, derived from the seed
 * (`sandbox/seed.json`) so the seed stays the one place that says what the sandbox holds. A
 * real deployment sets the same keys by hand (examples/real-services).
 */
import * as fs from "fs";
import * as path from "path";
import { qualyticsSeedSchema } from "../sandbox/qualytics/seed";

export const MAIN_PROJECT = "databricks-integrations-main";
export const MAIN_STACK = "sandbox";

export interface Seed {
  databricks: {
    workspaces: {
      host: string;
      users: { userName: string; admin: boolean; tokens: { value: string }[] }[];
      clusters: { cluster_id: string; cluster_name: string; owner: string }[];
      warehouses: { id: string }[];
    }[];
  };
  hopsworks: {
    instances: {
      host: string;
      users: { email: string; username: string; password: string }[];
      projects: { name: string; owner: string; members?: { email: string }[] }[];
    }[];
  };
  qualytics: { instances: { host: string; users: { email: string; tokens: { value: string }[] }[] }[] };
}

/** sandbox/seed.json as the sandbox reads it: Qualytics tokens given by their claims are signed. */
export function readSeed(repoRoot: string): Seed {
  const raw = JSON.parse(fs.readFileSync(path.join(repoRoot, "sandbox", "seed.json"), "utf8")) as Seed;
  return { ...raw, qualytics: qualyticsSeedSchema.parse(raw.qualytics) };
}

export interface StackConfig {
  config: Record<string, string>;
  secretConfig: Record<string, string>;
}

/**
 * The first workspace, Hopsworks instance and Qualytics instance of the seed. The Hopsworks
 * login is the first project's owner (a Data owner may configure clusters for members); each
 * seeded cluster is configured for the project member who owns it.
 */
export function sandboxStackConfig(seed: Seed, endpoints: Record<string, string>): StackConfig {
  const workspace = seed.databricks.workspaces[0];
  const admin = workspace.users.find((u) => u.admin)!;
  const hopsworks = seed.hopsworks.instances[0];
  const project = hopsworks.projects[0];
  const owner = hopsworks.users.find((u) => u.email === project.owner)!;
  const qualytics = seed.qualytics.instances[0];
  const featureStoreClusters = Object.fromEntries(
    workspace.clusters.map((c) => [c.cluster_name, { clusterId: c.cluster_id, user: hopsworks.users.find((u) => u.email === c.owner)!.username }]),
  );
  return {
    config: {
      "databricks:host": workspace.host,
      "hopsworks:host": hopsworks.host,
      "hopsworks:project": project.name,
      "hopsworks:email": owner.email,
      "qualytics:url": `https://${qualytics.host}/api`,
      "platform:sqlHttpPath": `/sql/1.0/warehouses/${workspace.warehouses[0].id}`,
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
