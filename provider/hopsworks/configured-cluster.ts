import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { checkWithSchema } from "../core/check";
import { definedProvider, implementationPath, lazyProvider } from "../core/dynamic";
import { ConfigurationError, ServiceError } from "../core/errors";
import { notice } from "../core/log";
import { backoffMs, defaultRetryPolicy } from "../core/http";
import { sleep } from "../core/timing";
import { DatabricksClient, type ClusterInfo } from "../databricks/client";
import { TRANSITIONAL_STATES, waitForRunning, waitForSettled } from "../databricks/cluster-wait";
import { databricksCredentials } from "../databricks/credentials";
import { assertPolicyAllows } from "../databricks/cluster-policy";
import { restoreClusterFields } from "../databricks/cluster-restore";
import { hopsworksIntent } from "./configure-intent";
import { workspaceHostSchema } from "../databricks/host";
import { HopsworksClient, HopsworksCode, hasCode, type ProjectMember } from "./client";
import {
  appliedBy,
  canonical,
  driftOf,
  editableSpec,
  initScriptDestination,
  isConfigured,
  liveHsfs,
  restorePlan,
  unconfiguredSpec,
  userOwnedSpec,
  type AppliedConfiguration,
  type ClusterSpec,
} from "./cluster-spec";
import { defaultHopsworksHost, defaultHopsworksPort, defaultHopsworksProject, hopsworksCredentials } from "./credentials";
import { projectIdOf } from "./project";
import { clusterIdSchema, hopsworksHostSchema, hopsworksPortSchema, projectSchema, secretStringSchema } from "./inputs";
import { connectionSnippet, type NotebookConnection } from "./notebook";

/** The inputs of a {@link HopsworksConfiguredCluster}, validated at check time. */
export const configuredClusterInputsSchema = z.object({
  project: projectSchema,
  hopsworksHost: hopsworksHostSchema,
  hopsworksPort: hopsworksPortSchema,
  /** The registered Databricks instance (workspace host). */
  workspaceHost: workspaceHostSchema,
  clusterId: clusterIdSchema,
  /** Hopsworks username or email of the project member to configure for; omitted: the caller. */
  targetUser: z.string().min(1, "must not be empty; omit it to configure for yourself").optional(),
  waitForRunning: z.boolean({ error: "must be true or false" }).default(true),
  runningTimeoutMinutes: z.number({ error: "must be a number of minutes" }).int("must be whole minutes").min(1, "must be at least 1").max(180, "must be at most 180").default(20),
  restoreOnDelete: z.boolean({ error: "must be true or false" }).default(true),
  /** Token for the provider's own Databricks calls (verify, restore); `databricks:token` by default. */
  databricksToken: secretStringSchema("Databricks token").optional(),
  secretsStore: z.enum(["secretsmanager", "parameterstore", "local"], { error: "must be one of secretsmanager, parameterstore, local" }).default("secretsmanager"),
  hostnameVerification: z.boolean({ error: "must be true or false" }).default(true),
});
export type ConfiguredClusterInputs = z.infer<typeof configuredClusterInputsSchema>;

export interface ConfiguredClusterOutputs extends ConfiguredClusterInputs {
  projectId: number;
  /** The Hopsworks user whose registered token Hopsworks used. */
  callerUsername: string;
  /** The Hopsworks user the cluster is configured for (certificates and tags). */
  targetUsername: string;
  clusterName: string;
  /** Cluster state at the end of the last deployment (not refreshed: an idle cluster terminating is not drift). */
  clusterState: string;
  /** The `hsfs` requirement installed on the cluster, e.g. `hsfs~=4.2.0`. */
  hsfsVersion: string;
  /** The Spark properties Hopsworks set, with their values. */
  hopsworksSparkConf: Record<string, string>;
  /** The init script Hopsworks added. */
  initScript: string;
  applied: AppliedConfiguration;
  /** The user-owned spec before configuration: what delete restores and what a lossy edit must not lose. */
  originalSpec: ClusterSpec;
  /** User settings Hopsworks' edit dropped that were put back at the last deployment. */
  restored: string[];
  /** What the last refresh found out of line with the configuration; empty when in sync. */
  drift: string[];
  connection: NotebookConnection;
  /** A ready-to-paste notebook cell calling `hsfs.connection(...)`. */
  snippet: string;
}

const MINUTE = 60_000;
const resourceId = (i: { workspaceHost: string; clusterId: string }) => `${i.workspaceHost}/${i.clusterId}`;

interface Context {
  hopsworks: HopsworksClient;
  databricks: DatabricksClient;
  projectId: number;
  callerUsername: string;
  targetUsername: string;
}

const hopsworksFor = (i: ConfiguredClusterInputs) => new HopsworksClient(hopsworksCredentials({ host: i.hopsworksHost, port: i.hopsworksPort }));
const databricksFor = (i: ConfiguredClusterInputs) => new DatabricksClient(databricksCredentials({ host: i.workspaceHost, token: i.databricksToken }));

const noManageError = (clusterId: string, host: string, who: string) =>
  new ConfigurationError(
    `${who} lacks the "Can Manage" permission on cluster ${clusterId} in ${host}: configuring edits the cluster's spec and installs libraries, which need Can Manage. ` +
      `Ask a workspace admin (or a user with Can Manage on the cluster) to grant it under Compute → the cluster → Permissions, or ask a Data owner of the project whose registered token has Can Manage to configure it for you (targetUser)`,
  );

/** Everything that must hold before Hopsworks is asked to touch the cluster; nothing is changed here. */
async function prepare(inputs: ConfiguredClusterInputs): Promise<Context> {
  const hopsworks = hopsworksFor(inputs);
  const databricks = databricksFor(inputs);
  const projectId = await projectIdOf(hopsworks, inputs.project);
  const caller = await hopsworks.profile();
  const members = await hopsworks.projectMembers(projectId);
  const target = resolveTarget(inputs, caller.username, members);

  const registered = await hopsworks.registeredInstances(projectId);
  if (!registered.includes(inputs.workspaceHost)) {
    throw new ConfigurationError(
      `Databricks instance ${inputs.workspaceHost} is not registered in Hopsworks for user ${caller.username}: declare a HopsworksDatabricksInstance for it and pass its workspaceHost output here (so this resource waits for it)`,
    );
  }
  const cluster = await databricks.getCluster(inputs.clusterId);
  if (!cluster) {
    throw new ConfigurationError(
      `cluster ${inputs.clusterId} does not exist in workspace ${inputs.workspaceHost} (is it a cluster id from another workspace, or was it permanently deleted?): ` +
        `copy the id from this workspace's Compute page (the cluster's URL …/compute/clusters/<cluster-id>), or, if the cluster is in another workspace, set workspaceHost to that workspace and register it with a HopsworksDatabricksInstance`,
    );
  }
  if (!(await databricks.canManageCluster(inputs.clusterId))) {
    throw noManageError(inputs.clusterId, inputs.workspaceHost, "the Databricks identity of the token this stack uses");
  }
  await assertPolicyAllows(databricks, cluster, "Hopsworks' configure", hopsworksIntent({ hopsworksHost: inputs.hopsworksHost, project: inputs.project, username: target, projectId }));
  return { hopsworks, databricks, projectId, callerUsername: caller.username, targetUsername: target };
}

function resolveTarget(inputs: ConfiguredClusterInputs, caller: string, members: ProjectMember[]): string {
  const wanted = inputs.targetUser ?? caller;
  const member = members.find((m) => m.user.username === wanted || m.user.email?.toLowerCase() === wanted.toLowerCase());
  if (!member) {
    const names = members.map((m) => `${m.user.username} (${m.teamRole})`).join(", ");
    throw new ConfigurationError(
      `targetUser "${wanted}" is not a member of project ${inputs.project} (members: ${names || "none visible"}): add them in Project settings → Members, or configure for a member`,
    );
  }
  const me = members.find((m) => m.user.username === caller);
  if (member.user.username !== caller && me?.teamRole !== "Data owner") {
    throw new ConfigurationError(
      `only a Data owner of project ${inputs.project} can configure a cluster for another member; ${caller} is ${me ? `a ${me.teamRole}` : "not a member"}. Omit targetUser to configure for yourself, or have a Data owner deploy this`,
    );
  }
  return member.user.username;
}

/** Hopsworks wraps every Databricks failure in 270125; these are worth another attempt. */
const TRANSIENT =
  /INVALID_STATE|unexpected state|REQUEST_LIMIT_EXCEEDED|TEMPORARILY_UNAVAILABLE|RESOURCE_EXHAUSTED|INTERNAL_ERROR|temporarily|too many requests|try again|timed? ?out|connection refused|ECONNRESET|socket hang up|\b(429|500|502|503|504)\b/i;

/** How Databricks says the caller lacks a permission (as wrapped by Hopsworks). */
const PERMISSION_DENIED = /PERMISSION_DENIED|does not have .*permission/i;

function isWorthRetrying(err: unknown): boolean {
  if (!(err instanceof ServiceError)) return false;
  if (err.service === "Hopsworks" && (err.code === HopsworksCode.DATABRICKS_ERROR || err.code === HopsworksCode.CLUSTER_START_FAILED)) {
    // Only what Databricks said counts: Hopsworks' own "HTTP 500 270125" wraps every failure.
    return TRANSIENT.test(err.message.replace(/HTTP \d{3} \d+: /, ""));
  }
  // Configuring again ends in the same place, so an answer lost in transit is retried too.
  return err.status === undefined || err.status === 500 || err.status === 502 || err.status === 504;
}

/** Asks Hopsworks to configure, retrying what Databricks or the network made fail for a moment. */
async function askHopsworks(ctx: Context, inputs: ConfiguredClusterInputs, timeoutMs: number): Promise<void> {
  // The HTTP layer's policy: each Databricks call inside a configure can fail on its own, and
  // Hopsworks does not retry them, so a configure may need as many attempts as a single call.
  const policy = defaultRetryPolicy();
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.hopsworks.configureCluster(ctx.projectId, inputs.workspaceHost, inputs.clusterId, ctx.targetUsername);
      return;
    } catch (err) {
      if (err instanceof ServiceError && PERMISSION_DENIED.test(err.message)) {
        throw noManageError(inputs.clusterId, inputs.workspaceHost, `the Databricks token registered in Hopsworks for ${ctx.callerUsername}`);
      }
      const delay = backoffMs(attempt, policy);
      if (attempt >= policy.maxAttempts || waited + delay > policy.budgetMs || !isWorthRetrying(err)) throw err;
      // The cluster may have changed state under us (INVALID_STATE): let it settle first.
      await waitForSettled(ctx.databricks, inputs.clusterId, timeoutMs);
      await sleep(delay);
      waited += delay;
    }
  }
}

/** An error that keeps the resource in state with what is known, so the next `up` repairs it and destroy restores it. */
const partialFailure = (err: unknown, id: string, properties: Partial<ConfiguredClusterOutputs>) =>
  Object.assign(err instanceof Error ? err : new Error(String(err)), { id, properties });

function connectionOf(inputs: ConfiguredClusterInputs): NotebookConnection {
  return {
    host: inputs.hopsworksHost,
    port: inputs.hopsworksPort ?? 443,
    project: inputs.project,
    secretsStore: inputs.secretsStore,
    hostnameVerification: inputs.hostnameVerification,
  };
}

/**
 * The guide's "Configure", made whole: wait for a state Hopsworks can work with, record what the
 * user owns, ask Hopsworks, put back what its lossy edit dropped, wait, and verify on Databricks.
 */
async function configure(inputs: ConfiguredClusterInputs, previous?: ConfiguredClusterOutputs): Promise<ConfiguredClusterOutputs> {
  const id = resourceId(inputs);
  const timeoutMs = inputs.runningTimeoutMinutes * MINUTE;
  const ctx = await prepare(inputs);
  const { databricks } = ctx;

  const before = await waitForSettled(databricks, inputs.clusterId, timeoutMs);
  const librariesBefore = await databricks.libraryStatuses(inputs.clusterId);
  const original = userOwnedSpec(editableSpec(before), previous && { applied: previous.applied, original: previous.originalSpec });
  const base: Partial<ConfiguredClusterOutputs> = {
    ...(previous ?? {}),
    ...inputs,
    projectId: ctx.projectId,
    callerUsername: ctx.callerUsername,
    targetUsername: ctx.targetUsername,
    clusterName: String(before.cluster_name ?? ""),
    originalSpec: original,
    applied: previous?.applied ?? { sparkConf: {}, tags: {}, initScripts: [] },
    drift: ["configuration incomplete: the last deployment failed part way; run `pulumi up` again"],
  };

  try {
    await askHopsworks(ctx, inputs, timeoutMs);
  } catch (err) {
    // Nothing reached the cluster (a refusal before Hopsworks' edit): no state to keep.
    const live = await databricks.getCluster(inputs.clusterId).catch(() => undefined);
    const touched = previous || (live && canonical(userOwnedSpec(editableSpec(live))) !== canonical(editableSpec(live)));
    throw touched ? partialFailure(err, id, base) : err;
  }

  try {
    const after = editableSpec((await databricks.getCluster(inputs.clusterId))!);
    const applied = appliedBy(original, after, { before: librariesBefore, after: await databricks.libraryStatuses(inputs.clusterId) });
    // On a reconfigure the hsfs found before is the one an earlier configuration installed; on a
    // cluster Hopsworks had already configured (a create interrupted after Hopsworks' answer), too.
    if (previous) applied.hsfsPreinstalled = previous.applied.hsfsPreinstalled;
    else if (isConfigured(editableSpec(before))) applied.hsfsPreinstalled = false;
    base.applied = applied;

    const plan = restorePlan(original, after);
    if (plan.restored.length > 0) {
      const settled = await waitForSettled(databricks, inputs.clusterId, timeoutMs);
      const restarts = settled.state === "RUNNING";
      // Only the dropped fields, as a partial update: what others changed meanwhile stays.
      await restoreClusterFields(databricks, inputs.clusterId, plan.spec, plan.restored, editableSpec, timeoutMs);
      notice(
        `cluster ${inputs.clusterId}: Hopsworks' configure dropped settings you own; restored ${plan.restored.join(", ")}` +
          (restarts ? " (the cluster restarts once more to apply them)" : ""),
      );
    }

    const final = inputs.waitForRunning ? await waitUntilUsable(databricks, inputs.clusterId, applied.hsfsRequirement, timeoutMs) : (await databricks.getCluster(inputs.clusterId))!;
    const statuses = await databricks.libraryStatuses(inputs.clusterId);
    const drift = driftOf(editableSpec(final), statuses, applied);
    if (drift.length > 0) throw new ConfigurationError(`Hopsworks reported cluster ${inputs.clusterId} configured, but Databricks shows: ${drift.join("; ")}`);
    if (!applied.hsfsRequirement) throw new ConfigurationError(`Hopsworks configured cluster ${inputs.clusterId} but no hsfs library was installed on it`);

    return {
      ...(base as ConfiguredClusterOutputs),
      clusterName: String(final.cluster_name ?? base.clusterName),
      clusterState: final.state,
      hsfsVersion: applied.hsfsRequirement,
      hopsworksSparkConf: applied.sparkConf,
      initScript: applied.initScripts.map((s) => initScriptDestination(s) ?? "").join(","),
      restored: plan.restored,
      drift: [],
      connection: connectionOf(inputs),
      snippet: connectionSnippet(connectionOf(inputs)),
    };
  } catch (err) {
    throw partialFailure(err, id, base);
  }
}

/** RUNNING with `hsfs` installed: a notebook can import it. */
async function waitUntilUsable(databricks: DatabricksClient, clusterId: string, hsfs: string | undefined, timeoutMs: number): Promise<ClusterInfo> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 200; ; delay = Math.min(delay * 2, 5_000)) {
    const running = await waitForRunning(databricks, clusterId, Math.max(deadline - Date.now(), 1));
    const library = liveHsfs(await databricks.libraryStatuses(clusterId));
    if (!hsfs || library?.status === "INSTALLED") return running;
    if (Date.now() + delay > deadline) {
      throw new ConfigurationError(`cluster ${clusterId} is RUNNING but ${hsfs} is still ${library?.status ?? "not installed"}; check the cluster's Libraries tab`);
    }
    await sleep(delay);
  }
}

export const provider = definedProvider({
  async check(_olds, news) {
    return checkWithSchema(configuredClusterInputsSchema, news, ["databricksToken"]);
  },

  async diff(_id, olds: ConfiguredClusterOutputs, news: ConfiguredClusterInputs) {
    // A different cluster or Hopsworks cluster is a different configuration; the old one is
    // undone first so two stacks' worth of keys never sit on one cluster.
    const replaces = (["workspaceHost", "clusterId", "hopsworksHost"] as const).filter((k) => olds[k] !== news[k]);
    const settings = ["project", "targetUser", "hopsworksPort", "waitForRunning", "runningTimeoutMinutes", "restoreOnDelete", "databricksToken", "secretsStore", "hostnameVerification"] as const;
    const changes = replaces.length > 0 || (olds.drift?.length ?? 0) > 0 || settings.some((k) => olds[k] !== news[k]);
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(inputs: ConfiguredClusterInputs) {
    const outs = await configure(inputs);
    return { id: resourceId(inputs), outs };
  },

  async read(id: string, props: ConfiguredClusterOutputs) {
    const databricks = databricksFor(props);
    const live = await databricks.getCluster(props.clusterId);
    // Permanently deleted: nothing left to configure; the resource leaves the state.
    if (!live) return { id: undefined, props: {} };
    const drift = driftOf(editableSpec(live), await databricks.libraryStatuses(props.clusterId), props.applied);
    // What Hopsworks itself sees: the project and user its tags point at, through the registration.
    const hopsworks = hopsworksFor(props);
    try {
      const seen = await hopsworks.cluster(props.projectId, props.workspaceHost, props.clusterId);
      if (seen.user?.username && seen.user.username !== props.targetUsername && !drift.some((d) => d.includes("hopsworks_user"))) {
        drift.push(`Hopsworks sees the cluster configured for ${seen.user.username}, expected ${props.targetUsername}`);
      }
    } catch (err) {
      if (hasCode(err, HopsworksCode.SECRET_MISSING)) {
        drift.push(`Hopsworks cannot reach the cluster: instance ${props.workspaceHost} is no longer registered for ${props.callerUsername}`);
      } else if (hasCode(err, HopsworksCode.DATABRICKS_ERROR)) {
        // For example a registered key changed out of band: Hopsworks can no longer manage the cluster.
        drift.push(`Hopsworks cannot reach the cluster with the key registered for ${props.callerUsername}: ${(err as Error).message}`);
      } else throw err;
    }
    return { id, props: { ...props, clusterName: String(live.cluster_name ?? props.clusterName), drift } };
  },

  async update(_id, olds: ConfiguredClusterOutputs, news: ConfiguredClusterInputs) {
    const reconfigure =
      (olds.drift?.length ?? 0) > 0 || olds.project !== news.project || olds.targetUser !== news.targetUser || (olds.hopsworksPort ?? 443) !== (news.hopsworksPort ?? 443);
    if (!reconfigure) {
      return { outs: { ...olds, ...news, connection: connectionOf(news), snippet: connectionSnippet(connectionOf(news)) } };
    }
    return { outs: await configure(news, olds) };
  },

  async delete(_id: string, props: ConfiguredClusterOutputs) {
    if (!props.restoreOnDelete) return;
    const databricks = databricksFor(props);
    const live = await databricks.getCluster(props.clusterId);
    if (!live) return;
    const timeoutMs = props.runningTimeoutMinutes * MINUTE;
    // Edit only where Databricks allows it; a TERMINATED cluster stays terminated.
    const settled = TRANSITIONAL_STATES.has(live.state) ? await waitForSettled(databricks, props.clusterId, timeoutMs) : live;
    // Uninstall first: an uninstall takes effect at the next launch, which the edit below starts
    // on a running cluster. A terminated cluster drops the library when it next starts.
    const hsfs = props.applied.hsfsRequirement;
    if (hsfs && !props.applied.hsfsPreinstalled && liveHsfs(await databricks.libraryStatuses(props.clusterId))?.requirement === hsfs) {
      await databricks.uninstallLibraries(props.clusterId, [{ pypi: { package: hsfs } }]);
    }
    const current = editableSpec(settled);
    const restored = unconfiguredSpec(current, props.applied, props.originalSpec);
    if (canonical(restored) !== canonical(current)) await databricks.editCluster({ ...restored, cluster_id: props.clusterId });
  },
});

/** Arguments of a {@link HopsworksConfiguredCluster}. */
export interface HopsworksConfiguredClusterArgs {
  /** The registered Databricks instance: pass a {@link HopsworksDatabricksInstance}'s `workspaceHost` so this waits for the registration. Changing it replaces the configuration. */
  workspaceHost: pulumi.Input<string>;
  /** The Databricks cluster id (e.g. `0923-164208-abcd1234`). The cluster may be in any state. Changing it replaces the configuration. */
  clusterId: pulumi.Input<string>;
  /** Hopsworks project the cluster is configured for. Defaults to `hopsworks:project` config or `HOPSWORKS_PROJECT`. Changing it reconfigures in place. */
  project?: pulumi.Input<string>;
  /** Project member (Hopsworks username or email) whose certificates and identity the cluster gets. Omitted: the calling user. Configuring for someone else needs the Data owner role. Changing it reconfigures in place. */
  targetUser?: pulumi.Input<string>;
  /** Wait until the cluster is RUNNING with `hsfs` installed (default true). */
  waitForRunning?: pulumi.Input<boolean>;
  /** How long to wait for the cluster at each step, in minutes (default 20, like the Databricks SDKs). */
  runningTimeoutMinutes?: pulumi.Input<number>;
  /** On delete, take out what Hopsworks added (Spark keys, tags, init script, hsfs) and leave your own settings as they were (default true). A terminated cluster is not started. */
  restoreOnDelete?: pulumi.Input<boolean>;
  /** Token for this resource's own Databricks calls (verification, restoring settings); defaults to `databricks:token` / `DATABRICKS_TOKEN`. Use the identity whose token is registered in Hopsworks, or one with Can Manage on the cluster. Stored encrypted. */
  databricksToken?: pulumi.Input<string>;
  /** Where `hsfs` on the cluster finds the Hopsworks API key: `secretsmanager` (default), `parameterstore` or `local`. Only shapes the `connection` and `snippet` outputs. */
  secretsStore?: pulumi.Input<"secretsmanager" | "parameterstore" | "local">;
  /** Whether hsfs verifies the Hopsworks host name (default true). Only shapes the outputs. */
  hostnameVerification?: pulumi.Input<boolean>;
  /** Hopsworks host; defaults to `hopsworks:host` config or `HOPSWORKS_HOST`. */
  hopsworksHost?: pulumi.Input<string>;
  /** Hopsworks port; defaults to `hopsworks:port` config, else 443. */
  hopsworksPort?: pulumi.Input<number>;
}

/**
 * A Databricks cluster configured for a Hopsworks project user, as the Integrations tab's
 * "Configure" does it: Hopsworks uploads its client and the user's certificates to DBFS, adds
 * its init script, Spark properties and tags, starts the cluster if it was terminated, and
 * installs `hsfs`. Beyond the form, this resource waits out transitional states, puts back what
 * Hopsworks' lossy edit drops (your init scripts, policy, cloud attributes), verifies the result
 * on Databricks, reports drift on refresh (`drift`), repairs it on the next `up`, and on delete
 * removes exactly what Hopsworks added.
 */
export class HopsworksConfiguredCluster extends pulumi.dynamic.Resource {
  declare readonly clusterId: pulumi.Output<string>;
  declare readonly clusterName: pulumi.Output<string>;
  /** Cluster state at the end of the last deployment. */
  declare readonly clusterState: pulumi.Output<string>;
  /** The installed `hsfs` requirement, e.g. `hsfs~=4.2.0`. */
  declare readonly hsfsVersion: pulumi.Output<string>;
  /** The Spark properties Hopsworks set (key → value). */
  declare readonly hopsworksSparkConf: pulumi.Output<Record<string, string>>;
  /** DBFS path of the init script Hopsworks added. */
  declare readonly initScript: pulumi.Output<string>;
  declare readonly projectId: pulumi.Output<number>;
  declare readonly targetUsername: pulumi.Output<string>;
  /** Settings of yours that Hopsworks' edit dropped and this resource put back. */
  declare readonly restored: pulumi.Output<string[]>;
  /** Drift found by the last refresh; empty when the cluster is as configured. */
  declare readonly drift: pulumi.Output<string[]>;
  /** What `hsfs.connection(host, port, project, secrets_store, hostname_verification)` needs. */
  declare readonly connection: pulumi.Output<NotebookConnection>;
  /** A notebook cell that connects to the feature store. */
  declare readonly snippet: pulumi.Output<string>;

  constructor(name: string, args: HopsworksConfiguredClusterArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      configuredClusterProvider,
      name,
      {
        project: args.project ?? defaultHopsworksProject(),
        hopsworksHost: args.hopsworksHost ?? defaultHopsworksHost(),
        hopsworksPort: args.hopsworksPort ?? defaultHopsworksPort(),
        workspaceHost: args.workspaceHost,
        clusterId: args.clusterId,
        targetUser: args.targetUser,
        waitForRunning: args.waitForRunning,
        runningTimeoutMinutes: args.runningTimeoutMinutes,
        restoreOnDelete: args.restoreOnDelete,
        databricksToken: args.databricksToken === undefined ? undefined : pulumi.secret(args.databricksToken),
        secretsStore: args.secretsStore,
        hostnameVerification: args.hostnameVerification,
        projectId: undefined,
        callerUsername: undefined,
        targetUsername: undefined,
        clusterName: undefined,
        clusterState: undefined,
        hsfsVersion: undefined,
        hopsworksSparkConf: undefined,
        initScript: undefined,
        applied: undefined,
        originalSpec: undefined,
        restored: undefined,
        drift: undefined,
        connection: undefined,
        snippet: undefined,
      },
      { ...opts, additionalSecretOutputs: ["databricksToken", ...(opts?.additionalSecretOutputs ?? [])] },
      "databricks-integrations",
      "HopsworksConfiguredCluster",
    );
  }
}

const configuredClusterProvider = lazyProvider(implementationPath("hopsworks/configured-cluster"));
