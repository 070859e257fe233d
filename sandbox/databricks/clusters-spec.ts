import { z } from "zod";
import { READ_ONLY_CLUSTER_FIELDS } from "./clusters-read-only";
import { invalidParameter } from "./errors";
import type { ClusterSpec } from "./clusters-state";

export const MAX_CUSTOM_TAGS = 45;
export const MAX_INIT_SCRIPTS = 10;

const INIT_SCRIPT_KINDS = ["workspace", "volumes", "dbfs", "s3", "abfss", "gcs", "file"] as const;

const DATA_SECURITY_MODES = [
  "DATA_SECURITY_MODE_AUTO",
  "DATA_SECURITY_MODE_STANDARD",
  "DATA_SECURITY_MODE_DEDICATED",
  "NONE",
  "SINGLE_USER",
  "USER_ISOLATION",
  "LEGACY_TABLE_ACL",
  "LEGACY_PASSTHROUGH",
  "LEGACY_SINGLE_USER",
  "LEGACY_SINGLE_USER_STANDARD",
] as const;

const stringMap = z.record(z.string(), z.string());

/** Types of the fields the sandbox understands; everything else passes through untouched. */
const specSchema = z.looseObject({
  cluster_name: z.string().optional(),
  spark_version: z.string(),
  node_type_id: z.string().optional(),
  driver_node_type_id: z.string().optional(),
  num_workers: z.number().int().min(0).optional(),
  autoscale: z
    .object({ min_workers: z.number().int().min(0), max_workers: z.number().int().min(1) })
    // The SDKs document max_workers as strictly greater than min_workers.
    .refine((a) => a.max_workers > a.min_workers, { message: "max_workers must be greater than min_workers" })
    .optional(),
  // 0 disables auto-termination; otherwise the service accepts 10 minutes to 30 days.
  autotermination_minutes: z
    .number()
    .int()
    .refine((m) => m === 0 || (m >= 10 && m <= 43200), { message: "must be 0 or between 10 and 43200" })
    .optional(),
  spark_conf: stringMap.optional(),
  spark_env_vars: stringMap.optional(),
  custom_tags: stringMap
    .refine((tags) => Object.keys(tags).length <= MAX_CUSTOM_TAGS, {
      message: `a cluster can have at most ${MAX_CUSTOM_TAGS} custom tags`,
    })
    .optional(),
  init_scripts: z
    .array(z.record(z.string(), z.unknown()))
    .max(MAX_INIT_SCRIPTS, { message: `at most ${MAX_INIT_SCRIPTS} init scripts are allowed` })
    .optional(),
  data_security_mode: z.enum(DATA_SECURITY_MODES).optional(),
  single_user_name: z.string().optional(),
  runtime_engine: z.enum(["NULL", "STANDARD", "PHOTON"]).optional(),
  policy_id: z.string().optional(),
  instance_pool_id: z.string().optional(),
  aws_attributes: z.record(z.string(), z.unknown()).optional(),
  azure_attributes: z.record(z.string(), z.unknown()).optional(),
  gcp_attributes: z.record(z.string(), z.unknown()).optional(),
});

/** A zod failure as the one-line message the API would give: `field.path: problem`. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "Invalid request";
  const where = issue.path.join(".");
  return where ? `${where}: ${issue.message}` : issue.message;
}

/** Each init script names exactly one location kind, with a destination. */
function checkInitScripts(scripts: Record<string, unknown>[]): void {
  scripts.forEach((script, i) => {
    const kinds = Object.keys(script).filter((k) => (INIT_SCRIPT_KINDS as readonly string[]).includes(k));
    if (kinds.length !== 1 || Object.keys(script).length !== 1) {
      throw invalidParameter(`init_scripts[${i}] must specify exactly one of ${INIT_SCRIPT_KINDS.join(", ")}`);
    }
    const location = script[kinds[0]!] as { destination?: unknown } | null;
    if (!location || typeof location !== "object" || typeof location.destination !== "string" || location.destination === "") {
      throw invalidParameter(`init_scripts[${i}].${kinds[0]}.destination is required`);
    }
  });
}

type Cloud = "aws" | "azure" | "gcp";

export function cloudOf(host: string): Cloud {
  if (/\.(azuredatabricks\.net|databricks\.azure\.us|databricks\.azure\.cn)$/.test(host)) return "azure";
  if (/\.gcp\.databricks\.com$/.test(host)) return "gcp";
  return "aws";
}

/**
 * The attributes the real service fills in for the workspace's cloud when the client sends none
 * (so clients must tolerate server-side defaults on read-back, as they must against Databricks).
 */
const CLOUD_DEFAULTS: Record<Cloud, [field: string, value: Record<string, unknown>]> = {
  aws: ["aws_attributes", { availability: "SPOT_WITH_FALLBACK", zone_id: "auto", first_on_demand: 1, spot_bid_price_percent: 100 }],
  azure: ["azure_attributes", { availability: "ON_DEMAND_AZURE", first_on_demand: 1, spot_bid_max_price: -1 }],
  gcp: ["gcp_attributes", { availability: "ON_DEMAND_GCP", use_preemptible_executors: false }],
};

export interface SpecContext {
  host: string;
  callerUserName: string;
}

/**
 * Validates a create/edit body and returns the spec to store: read-only fields dropped, server
 * defaults applied. Edit passes the full body too; whatever it omits is gone, as on the real API.
 */
export function acceptSpec(body: unknown, ctx: SpecContext): ClusterSpec {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw invalidParameter("Request body must be a JSON object");
  const raw = { ...(body as Record<string, unknown>) };
  for (const field of READ_ONLY_CLUSTER_FIELDS) delete raw[field];
  if (typeof raw.spark_version !== "string" || raw.spark_version === "") throw invalidParameter("Missing required field: spark_version");
  // A node type is needed unless a pool or a policy supplies one.
  if (raw.node_type_id === undefined && raw.instance_pool_id === undefined && raw.policy_id === undefined) {
    throw invalidParameter("Missing required field: node_type_id");
  }
  const parsed = specSchema.safeParse(raw);
  if (!parsed.success) throw invalidParameter(firstIssue(parsed.error));
  const spec: ClusterSpec = { ...parsed.data };
  if (parsed.data.init_scripts) checkInitScripts(parsed.data.init_scripts);

  if (spec.driver_node_type_id === undefined && typeof spec.node_type_id === "string") spec.driver_node_type_id = spec.node_type_id;
  // Like the real service (and the Databricks CLI's test server): a single-user cluster without
  // a named user is assigned to the caller.
  if (spec.data_security_mode === "SINGLE_USER" && spec.single_user_name === undefined) spec.single_user_name = ctx.callerUserName;
  const [attributesField, defaults] = CLOUD_DEFAULTS[cloudOf(ctx.host)];
  if (spec[attributesField] === undefined && spec.instance_pool_id === undefined) spec[attributesField] = { ...defaults };
  return spec;
}

/** The size part of a spec (`clusters/resize` body): num_workers or autoscale, not both. */
export const resizeSchema = z
  .object({
    cluster_id: z.string().min(1),
    num_workers: z.number().int().min(0).optional(),
    autoscale: z
      .object({ min_workers: z.number().int().min(0), max_workers: z.number().int().min(1) })
      .refine((a) => a.max_workers > a.min_workers, { message: "max_workers must be greater than min_workers" })
      .optional(),
  })
  .refine((b) => (b.num_workers === undefined) !== (b.autoscale === undefined), {
    message: "Exactly one of num_workers or autoscale must be specified",
  });
