import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { checkWithSchema } from "../core/check";
import { definedProvider, implementationPath, lazyProvider, liveInputs } from "../core/dynamic";
import { ConfigurationError, ServiceError } from "../core/errors";
import { fieldTable } from "../core/fields";
import { notice } from "../core/log";
import { answerLost, mayHaveActed, partialFailure, retryStep } from "../core/recovery";
import { sleep } from "../core/timing";
import { DatabricksClient, type ClusterInfo, type LibraryStatus } from "../databricks/client";
import { TRANSITIONAL_STATES, waitForRunning, waitForSettled } from "../databricks/cluster-wait";
import { databricksCredentials } from "../databricks/credentials";
import { assertPolicyAllows } from "../databricks/cluster-policy";
import { restoreClusterFields } from "../databricks/cluster-restore";
import { hopsworksIntent } from "./configure-intent";
import { assertClusterIsOurs } from "./cluster-claim";
import { CLAIM_TAG, claimOf } from "./cluster-settings";
import { workspaceHostSchema } from "../databricks/host";
import { HopsworksClient, HopsworksCode, hasCode, type ProjectMember } from "./client";
import {
  appliedBy,
  canonical,
  driftOf,
  editableSpec,
  initScriptDestination,
  isConfigured,
  TAG_PROJECT_ID,
  TAG_USER,
  restorePlan,
  unconfiguredSpec,
  userOwnedSpec,
  type AppliedConfiguration,
  type ClusterSpec,
} from "./cluster-spec";
import { defaultHopsworksHost, defaultHopsworksPort, defaultHopsworksProject } from "../core/program-defaults";
import { hopsworksCredentials } from "./credentials";
import { projectIdOf } from "./project";
import { clusterIdSchema, hopsworksHostSchema, hopsworksPortSchema, projectSchema, secretStringSchema } from "./inputs";
import { connectionSnippet, type NotebookConnection } from "./notebook";
import {
  CLIENT_REQUIREMENT,
  clientOf,
  defaultClientLibrary,
  familySparkKeys,
  hopsworksPypiRequirements,
  releaseFamily,
  setsMetastore,
  type ReleaseFamily,
} from "./release-family";
import {
  addedLibraries,
  allInstalled,
  failedLibraries,
  hasLibrary,
  libraryDrift,
  libraryName,
  pypiPackage,
  sameLibrary,
  type Library,
} from "./cluster-libraries";
import { firstConfigureTurn } from "./configure-turns";
import { settings } from "../core/settings";

/** The inputs of a {@link HopsworksConfiguredCluster}, validated at check time. */
export const configuredClusterInputsSchema = z
  .object({
    project: projectSchema,
    hopsworksHost: hopsworksHostSchema,
    hopsworksPort: hopsworksPortSchema,
    /** The registered Databricks instance (workspace host). */
    workspaceHost: workspaceHostSchema,
    clusterId: clusterIdSchema,
    /** Hopsworks username or email of the project member to configure for; omitted: the caller. */
    targetUser: z.string().min(1, "must not be empty; omit it to configure for yourself").optional(),
    waitForRunning: z.boolean({ error: "must be true or false" }).default(true),
    runningTimeoutMinutes: z
      .number({ error: "must be a number of minutes" })
      .int("must be whole minutes")
      .min(1, "must be at least 1")
      .max(180, "must be at most 180")
      .default(20),
    restoreOnDelete: z.boolean({ error: "must be true or false" }).default(true),
    /** Token for the provider's own Databricks calls (verify, restore); `databricks:token` by default. */
    databricksToken: secretStringSchema("Databricks token").optional(),
    secretsStore: z
      .enum(["secretsmanager", "parameterstore", "local"], { error: "must be one of secretsmanager, parameterstore, local" })
      .default("secretsmanager"),
    hostnameVerification: z.boolean({ error: "must be true or false" }).default(true),
    /** The API key file on the cluster the notebook client reads (`secrets_store="local"` needs it). */
    apiKeyFile: z.string({ error: "must be a path, e.g. /dbfs/FileStore/hopsworks/api-key" }).min(1, "must not be empty; omit it").optional(),
    /**
     * The Python client to end up with; default derived from the Hopsworks version (Hopsworks' own
     * `hsfs~=X.Y.0` where PyPI has it, else the nearest that exists, `hopsworks[python]~=X.Y.0` from 4.0).
     */
    clientLibrary: z
      .string({ error: "must be a PyPI requirement such as hopsworks[python]~=4.2.0" })
      .regex(CLIENT_REQUIREMENT, "must be a requirement for the hsfs or hopsworks package, such as hsfs~=3.7.0 or hopsworks[python]~=4.2.0")
      .optional(),
    /** How long Hopsworks' configure call may take, in minutes (default 10); it is never sent twice while one may still run. */
    configureTimeoutMinutes: z
      .number({ error: "must be a number of minutes" })
      .int("must be whole minutes")
      .min(1, "must be at least 1")
      .max(120, "must be at most 120")
      .default(10),
    /** Take over a cluster another stack's resource claims, or that Hopsworks is configured on for another user or project (default false). */
    takeOver: z.boolean({ error: "must be true or false" }).default(false),
    /** Set by the constructor: `<project>/<stack>/<name>`, written to the cluster's `pulumi_configured_by` tag. */
    claim: z.string().min(1).optional(),
  })
  .superRefine((inputs, ctx) => {
    if (inputs.secretsStore === "local" && inputs.apiKeyFile === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["secretsStore"],
        message:
          'is "local", which makes the client read the API key from a file: set apiKeyFile to its path on the cluster (e.g. /dbfs/FileStore/hopsworks/api-key), or use secretsmanager / parameterstore',
      });
    }
  });
export type ConfiguredClusterInputs = z.infer<typeof configuredClusterInputsSchema>;

export interface ConfiguredClusterOutputs extends ConfiguredClusterInputs {
  projectId: number;
  /** The Hopsworks release configured with (`GET /variables/versions`) and its family (A 2.0–2.2, B 2.3–3.6, C 3.7+). Absent in older state. */
  hopsworksVersion?: string;
  releaseFamily?: ReleaseFamily;
  /** `<addr>` of Hopsworks' DBFS paths (its internal address), read from what it set. */
  hopsworksAddress?: string;
  /** Every library the configuration installed (names as `pypi hsfs~=3.7.0`, `jar dbfs:///…`). */
  libraries?: string[];
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

/**
 * Each field once. A different cluster or Hopsworks cluster is a different configuration
 * (replaced, the old one undone first so two stacks' worth of keys never sit on one cluster);
 * every setting updates in place. `takeOver` and the constructor's `claim` only shape a configure.
 */
export const configuredClusterFields = fieldTable(configuredClusterInputsSchema, {
  workspaceHost: "replace",
  clusterId: "replace",
  hopsworksHost: "replace",
  // What is configured, and for whom: a change reconfigures (see update).
  project: "update",
  targetUser: "update",
  hopsworksPort: "update",
  clientLibrary: "update",
  // How this resource works and what its outputs say: a change is recorded, Hopsworks is not called.
  waitForRunning: "update",
  runningTimeoutMinutes: "update",
  restoreOnDelete: "update",
  databricksToken: "secret update",
  secretsStore: "update",
  hostnameVerification: "update",
  apiKeyFile: "update",
  configureTimeoutMinutes: "update",
  takeOver: "none",
  claim: "none",
}).withOutputs<ConfiguredClusterOutputs>({
  projectId: "plain",
  hopsworksVersion: "plain",
  releaseFamily: "plain",
  hopsworksAddress: "plain",
  libraries: "plain",
  callerUsername: "plain",
  targetUsername: "plain",
  clusterName: "plain",
  clusterState: "plain",
  hsfsVersion: "plain",
  hopsworksSparkConf: "plain",
  initScript: "plain",
  applied: "plain",
  originalSpec: "plain",
  restored: "plain",
  drift: "plain",
  connection: "plain",
  snippet: "plain",
});

/** State written before configureTimeoutMinutes existed holds none: its default is no change. */
const sameConfigureTimeout = (a: unknown, b: unknown) => (a ?? 10) === (b ?? 10);

const MINUTE = 60_000;
const resourceId = (i: { workspaceHost: string; clusterId: string }) => `${i.workspaceHost}/${i.clusterId}`;

interface Context {
  hopsworks: HopsworksClient;
  databricks: DatabricksClient;
  projectId: number;
  callerUsername: string;
  targetUsername: string;
  /** The Hopsworks release, and what its configure sets. */
  version: string;
  family: ReleaseFamily;
  /** The cluster as read before asking Hopsworks (read once). */
  cluster: ClusterInfo;
  /** The last library list read (after a lost answer). */
  lastStatuses?: LibraryStatus[];
}

const hopsworksFor = (
  i: Partial<Pick<ConfiguredClusterInputs, "configureTimeoutMinutes">> & Pick<ConfiguredClusterInputs, "hopsworksHost" | "hopsworksPort">,
) =>
  new HopsworksClient(hopsworksCredentials({ host: i.hopsworksHost, port: i.hopsworksPort }), {
    // PULUMI_DATABRICKS_INTEGRATIONS_CONFIGURE_TIMEOUT_MS overrides it (tests: a lost answer without waiting minutes).
    configureTimeoutMs: settings().configureTimeoutMs ?? (i.configureTimeoutMinutes ?? 10) * MINUTE,
  });
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
  const version = await hopsworks.hopsworksVersion();
  const family = releaseFamily(version);
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
  // 3.7+ sends the cluster's init scripts back as it read them, and kinds it does not model (s3,
  // abfss, gcs) come back as `{}`, which Databricks refuses: say so before anything is touched.
  const scripts = (cluster.init_scripts ?? []) as Record<string, unknown>[];
  const unmodelled = setsMetastore(family) ? [] : scripts.filter((e) => !Object.keys(e).some((k) => ["dbfs", "workspace", "volumes", "file"].includes(k)));
  if (unmodelled.length > 0) {
    throw new ConfigurationError(
      `cluster ${inputs.clusterId} has init scripts Hopsworks ${version} cannot carry through its edit (${unmodelled.map((e) => Object.keys(e)[0]).join(", ")}): it sends them back empty and Databricks refuses the edit. ` +
        `Move them to workspace files or a Unity Catalog volume (workspace: or volumes: init scripts), then run again`,
    );
  }
  if (!(await databricks.canManageCluster(inputs.clusterId))) {
    throw noManageError(inputs.clusterId, inputs.workspaceHost, "the Databricks identity of the token this stack uses");
  }
  await assertPolicyAllows(
    databricks,
    cluster,
    "Hopsworks' configure",
    hopsworksIntent({ hopsworksHost: inputs.hopsworksHost, project: inputs.project, username: target, projectId, family }),
  );
  return { hopsworks, databricks, projectId, callerUsername: caller.username, targetUsername: target, version, family, cluster };
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
// RESOURCE_ALREADY_EXISTS: another first configure of the workspace uploaded the same client jar
// at the same time (`overwrite:false`); the upload is Hopsworks' first step, so nothing changed.
const TRANSIENT =
  /RESOURCE_ALREADY_EXISTS|INVALID_STATE|unexpected state|REQUEST_LIMIT_EXCEEDED|TEMPORARILY_UNAVAILABLE|RESOURCE_EXHAUSTED|INTERNAL_ERROR|temporarily|too many requests|try again|timed? ?out|connection refused|ECONNRESET|socket hang up|\b(429|500|502|503|504)\b/i;

/** How Databricks says the caller lacks a permission (as wrapped by Hopsworks). */
const PERMISSION_DENIED = /PERMISSION_DENIED|does not have .*permission/i;

function isWorthRetrying(err: unknown): boolean {
  if (!(err instanceof ServiceError)) return false;
  if (err.service === "Hopsworks" && (err.code === HopsworksCode.DATABRICKS_ERROR || err.code === HopsworksCode.CLUSTER_START_FAILED)) {
    // Only what Databricks said counts: Hopsworks' own "HTTP 500 270125" wraps every failure.
    return TRANSIENT.test(err.detail);
  }
  // Configuring again ends in the same place, so a call that may have acted is retried too.
  return mayHaveActed(err);
}

/** Whether the cluster carries this configuration's marks: the target's tags and every Spark key of the family, for this project user. */
function carriesConfiguration(ctx: Context, live: ClusterInfo): boolean {
  const spec = editableSpec(live);
  const tags = spec.custom_tags ?? {};
  if (tags[TAG_PROJECT_ID] !== String(ctx.projectId) || tags[TAG_USER] !== ctx.targetUsername) return false;
  const conf = spec.spark_conf ?? {};
  return (
    familySparkKeys(ctx.family).every((k) => conf[k] !== undefined) && (conf["spark.hadoop.hops.ssl.keystore.name"] ?? "").includes(`__${ctx.targetUsername}__`)
  );
}

/**
 * Asks Hopsworks to configure, retrying what Databricks or the network made fail for a moment.
 * The call is never sent again while one may still run: after a lost answer the cluster is read,
 * and only when Hopsworks' changes are absent is it asked again; when they are there, its library
 * install (its last step) is waited for instead.
 */
async function askHopsworks(ctx: Context, inputs: ConfiguredClusterInputs, timeoutMs: number): Promise<void> {
  // The HTTP layer's policy: each Databricks call inside a configure can fail on its own, and
  // Hopsworks does not retry them, so a configure may need as many attempts as a single call.
  await retryStep(
    async () => {
      // First configures of one workspace go one at a time: they would upload the same client
      // files with overwrite:false and collide.
      const turn = await firstConfigureTurn(`${inputs.hopsworksHost}|${inputs.workspaceHost}`);
      try {
        await ctx.hopsworks.configureCluster(ctx.projectId, inputs.workspaceHost, inputs.clusterId, ctx.targetUsername);
        turn.succeeded();
      } finally {
        turn.release();
      }
    },
    {
      afterFailure: async (err) => {
        // An answer that never came (timeout, reset, gateway): Hopsworks may have done it all, or still be doing it.
        if (answerLost(err)) {
          const live = await ctx.databricks.getCluster(inputs.clusterId);
          // Marks that were there before (a reconfigure) prove nothing; new ones prove Hopsworks got this far.
          if (live && carriesConfiguration(ctx, live) && !carriesConfiguration(ctx, ctx.cluster)) {
            notice(`cluster ${inputs.clusterId}: Hopsworks' answer to configure was lost, but its changes are on the cluster; not asking again`);
            await waitForHopsworksLibraries(ctx, inputs.clusterId, inputs.configureTimeoutMinutes * MINUTE);
            return { value: undefined };
          }
        }
        if (err instanceof ServiceError && PERMISSION_DENIED.test(err.detail)) {
          throw noManageError(inputs.clusterId, inputs.workspaceHost, `the Databricks token registered in Hopsworks for ${ctx.callerUsername}`);
        }
        return undefined;
      },
      retryOn: isWorthRetrying,
      // The cluster may have changed state under us (INVALID_STATE): let it settle first.
      beforeRetry: async () => {
        await waitForSettled(ctx.databricks, inputs.clusterId, timeoutMs);
      },
    },
  );
}

/** After a lost answer: Hopsworks' last step is the library install; wait until its client requirement is listed. */
async function waitForHopsworksLibraries(ctx: Context, clusterId: string, timeoutMs: number): Promise<void> {
  const wanted = hopsworksPypiRequirements(ctx.version).map((p) => ({ pypi: { package: p } }));
  const deadline = Date.now() + timeoutMs;
  while (!wanted.every((w) => hasLibrary(ctx.lastStatuses ?? [], w))) {
    if (Date.now() > deadline)
      throw new ConfigurationError(
        `Hopsworks configured cluster ${clusterId} but did not install ${wanted.map(libraryName).join(", ")} within ${Math.round(timeoutMs / MINUTE)} min`,
      );
    await sleep(pollMs());
    ctx.lastStatuses = await ctx.databricks.libraryStatuses(clusterId);
  }
}

/** The provider's cluster poll interval: nothing here polls faster. */
const pollMs = () => settings().pollMs;

/** What the notebook client needs, for the client the cluster ends up with and the keys Hopsworks set. */
function connectionOf(inputs: ConfiguredClusterInputs, setup?: { clientLibrary?: string; sparkConf?: Record<string, string> }): NotebookConnection {
  const client = setup?.clientLibrary ? clientOf(setup.clientLibrary).package : undefined;
  const noMetastore = setup?.sparkConf !== undefined && setup.sparkConf["spark.hadoop.hive.metastore.uris"] === undefined;
  return {
    host: inputs.hopsworksHost,
    port: inputs.hopsworksPort ?? 443,
    project: inputs.project,
    secretsStore: inputs.secretsStore,
    hostnameVerification: inputs.hostnameVerification,
    ...(client ? { client } : {}),
    // Without the metastore keys (3.7+), the Spark engine with Hive fails: the client must not use it.
    ...(noMetastore ? { engine: "spark-no-metastore" } : {}),
    ...(inputs.apiKeyFile ? { apiKeyFile: inputs.apiKeyFile } : {}),
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
  // Never take a cluster from another stack or another user without being told to. An update of
  // our own configuration may find Hopsworks' tags on the old target (a targetUser change): only
  // another stack's claim stops it.
  assertClusterIsOurs({
    clusterId: inputs.clusterId,
    liveTags: ctx.cluster.custom_tags as Record<string, string> | undefined,
    claim: inputs.claim,
    targetUsername: ctx.targetUsername,
    projectId: ctx.projectId,
    project: inputs.project,
    takeOver: inputs.takeOver ?? false,
    claimOnly: previous !== undefined,
  });

  // prepare read the cluster already: a second read only when it must settle first.
  const before = TRANSITIONAL_STATES.has(ctx.cluster.state) ? await waitForSettled(databricks, inputs.clusterId, timeoutMs) : ctx.cluster;
  const librariesBefore = await databricks.libraryStatuses(inputs.clusterId);
  const original = userOwnedSpec(editableSpec(before), previous && { applied: previous.applied, original: previous.originalSpec });
  // The user's own libraries: those the cluster had before its first configuration.
  const legacyHsfs = previous?.applied.hsfsRequirement && !previous.applied.hsfsPreinstalled ? [{ pypi: { package: previous.applied.hsfsRequirement } }] : [];
  const ours = [...(previous?.applied.libraries ?? []), ...(previous?.applied.replacedLibraries ?? []), ...legacyHsfs];
  const userLibraries = previous?.applied.userLibraries ?? librariesBefore.map((l) => l.library).filter((l) => !ours.some((o) => sameLibrary(o, l)));
  const base: Partial<ConfiguredClusterOutputs> = {
    ...(previous ?? {}),
    ...inputs,
    projectId: ctx.projectId,
    callerUsername: ctx.callerUsername,
    targetUsername: ctx.targetUsername,
    hopsworksVersion: ctx.version,
    releaseFamily: ctx.family,
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
    // Touched: the resource stays in state with what is known, so the next `up` repairs it and destroy restores it.
    throw touched ? partialFailure(err, id, base) : err;
  }

  try {
    const after = editableSpec((await databricks.getCluster(inputs.clusterId))!);
    const librariesAfter = await databricks.libraryStatuses(inputs.clusterId);
    const applied = appliedBy(original, after, { before: librariesBefore, after: librariesAfter });
    // Libraries are recorded one by one (new state); hsfsRequirement stays for state written before.
    delete applied.hsfsRequirement;
    delete applied.hsfsPreinstalled;
    const added = addedLibraries(librariesBefore, librariesAfter);
    const stillOurs = (previous?.applied.libraries ?? []).filter((l) => hasLibrary(librariesAfter, l));
    const installed = [...stillOurs, ...added.filter((l) => !stillOurs.some((o) => sameLibrary(o, l)))].filter(
      (l) => !userLibraries.some((u) => sameLibrary(u, l)),
    );
    const client = await settleClientLibrary(ctx, inputs, installed, userLibraries);
    applied.libraries = client.libraries;
    applied.replacedLibraries = client.replaced;
    applied.userLibraries = userLibraries;
    base.applied = applied;

    const plan = restorePlan(original, after);
    // The claim tag goes on with the restoring update (one write): it is ours, so delete takes it out.
    const claim =
      inputs.claim !== undefined && (after.custom_tags as Record<string, string> | undefined)?.[CLAIM_TAG] !== inputs.claim ? [`custom_tags.${CLAIM_TAG}`] : [];
    if (inputs.claim !== undefined) applied.tags = { ...applied.tags, [CLAIM_TAG]: inputs.claim };
    if (plan.restored.length > 0 || claim.length > 0) {
      const settled = await waitForSettled(databricks, inputs.clusterId, timeoutMs);
      const restarts = settled.state === "RUNNING";
      const desired = {
        ...plan.spec,
        custom_tags: {
          ...((plan.spec.custom_tags as Record<string, string> | undefined) ?? {}),
          ...(inputs.claim !== undefined ? { [CLAIM_TAG]: inputs.claim } : {}),
        },
      };
      // Only the dropped fields (and the claim), as a partial update: what others changed meanwhile stays.
      await restoreClusterFields(databricks, inputs.clusterId, desired, [...plan.restored, ...claim], editableSpec, timeoutMs);
      notice(
        plan.restored.length > 0
          ? `cluster ${inputs.clusterId}: Hopsworks' configure dropped settings you own; restored ${plan.restored.join(", ")}` +
              (restarts ? " (the cluster restarts once more to apply them)" : "")
          : `cluster ${inputs.clusterId}: tagged ${CLAIM_TAG}=${inputs.claim}` + (restarts ? " (the cluster restarts once more to apply it)" : ""),
      );
    }

    // The client may be the user's own (a cluster that declares it): waited for all the same.
    const needed = applied.libraries.some((l) => sameLibrary(l, client.library)) ? applied.libraries : [...applied.libraries, client.library];
    const final = inputs.waitForRunning
      ? await waitUntilUsable(databricks, inputs.clusterId, needed, timeoutMs)
      : (await databricks.getCluster(inputs.clusterId))!;
    const statuses = await databricks.libraryStatuses(inputs.clusterId);
    const drift = [...driftOf(editableSpec(final), statuses, applied), ...libraryDrift(statuses, applied.libraries)];
    if (drift.length > 0) throw new ConfigurationError(`Hopsworks reported cluster ${inputs.clusterId} configured, but Databricks shows: ${drift.join("; ")}`);
    if (!hasLibrary(statuses, client.library)) {
      throw new ConfigurationError(`Hopsworks configured cluster ${inputs.clusterId} but its Python client ${client.clientLibrary} is not installed on it`);
    }
    const setup = { clientLibrary: client.clientLibrary, sparkConf: applied.sparkConf };

    return {
      ...(base as ConfiguredClusterOutputs),
      clusterName: String(final.cluster_name ?? base.clusterName),
      clusterState: final.state,
      hsfsVersion: client.clientLibrary,
      clientLibrary: inputs.clientLibrary,
      hopsworksSparkConf: applied.sparkConf,
      hopsworksAddress: addressOf(applied.sparkConf),
      libraries: applied.libraries.map(libraryName),
      initScript: applied.initScripts.map((s) => initScriptDestination(s) ?? "").join(","),
      restored: plan.restored,
      drift: [],
      connection: connectionOf(inputs, setup),
      snippet: connectionSnippet(connectionOf(inputs, setup)),
    };
  } catch (err) {
    throw partialFailure(err, id, base);
  }
}

/** `<addr>` from the keystore path Hopsworks set (`/dbfs/hopsworks/<addr>/<pu>/…`). */
const addressOf = (conf: Record<string, string>) => /^\/dbfs\/hopsworks\/([^/]+)\//.exec(conf["spark.hadoop.hops.ssl.keystore.name"] ?? "")?.[1];

/**
 * The Python client the cluster ends up with. Hopsworks asks for `hsfs~=X.Y.0`, which PyPI lacks
 * for several releases (3.5, 3.6, every 3.8+): Databricks marks it FAILED. Where `clientLibrary`
 * (default from the version) differs from what Hopsworks installed, it is installed and
 * Hopsworks' client removed, and the output says so. Returns what is ours to keep.
 */
async function settleClientLibrary(
  ctx: Context,
  inputs: ConfiguredClusterInputs,
  installed: Library[],
  userLibraries: Library[],
): Promise<{ libraries: Library[]; replaced: Library[]; clientLibrary: string; library: Library }> {
  const wanted = inputs.clientLibrary ?? defaultClientLibrary(ctx.version);
  const isClient = (l: Library) => {
    const pkg = pypiPackage(l);
    return pkg !== undefined && CLIENT_REQUIREMENT.test(pkg);
  };
  const hopsworksClients = installed.filter((l) => isClient(l) && pypiPackage(l) !== wanted);
  const wantedLibrary = { pypi: { package: wanted } };
  const libraries = installed.filter((l) => !hopsworksClients.some((h) => sameLibrary(h, l)));
  if (!libraries.some((l) => sameLibrary(l, wantedLibrary)) && !userLibraries.some((l) => sameLibrary(l, wantedLibrary))) {
    await ctx.databricks.installLibraries(inputs.clusterId, [wantedLibrary]);
    libraries.push(wantedLibrary);
  }
  if (hopsworksClients.length > 0) {
    await ctx.databricks.uninstallLibraries(inputs.clusterId, hopsworksClients);
    const names = hopsworksClients.map((l) => pypiPackage(l)).join(", ");
    notice(
      `cluster ${inputs.clusterId}: Hopsworks ${ctx.version} installed ${names}` +
        (inputs.clientLibrary === undefined && hopsworksClients.some((l) => !clientExists(pypiPackage(l)!))
          ? ", which PyPI does not have (Databricks marks it FAILED)"
          : "") +
        `; installed ${wanted} instead (clientLibrary) and removed ${names}`,
    );
  }
  return { libraries, replaced: hopsworksClients, clientLibrary: wanted, library: wantedLibrary };
}

/** Whether an `hsfs~=X.Y.0` Hopsworks asks for exists on PyPI (the release table). */
const clientExists = (requirement: string) => {
  const c = clientOf(requirement);
  return c.package !== "hsfs" || defaultClientLibrary(`${c.major}.${c.minor}.0`) === `hsfs~=${c.major}.${c.minor}.0`;
};

/**
 * RUNNING with every recorded library installed: a notebook can import the client. A library
 * Databricks marks FAILED is reported at once, with its name and Databricks' message.
 */
async function waitUntilUsable(databricks: DatabricksClient, clusterId: string, libraries: Library[], timeoutMs: number): Promise<ClusterInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = await waitForRunning(databricks, clusterId, Math.max(deadline - Date.now(), 1));
    const statuses = await databricks.libraryStatuses(clusterId);
    const failed = failedLibraries(statuses, libraries);
    if (failed.length > 0) {
      throw new ConfigurationError(
        `on cluster ${clusterId} Databricks could not install ${failed.map((f) => `${libraryName(f.library)}: ${f.message}`).join("; ")}. ` +
          `Check the requirement (for the Python client set clientLibrary to one PyPI has, e.g. hopsworks[python]~=4.2.0) and run \`pulumi up\` again`,
      );
    }
    if (allInstalled(statuses, libraries)) return running;
    const pending = libraries.filter((l) => !statuses.some((s) => sameLibrary(s.library, l) && s.status === "INSTALLED"));
    if (Date.now() + pollMs() > deadline) {
      throw new ConfigurationError(
        `cluster ${clusterId} is RUNNING but ${pending.map((l) => `${libraryName(l)} is ${statuses.find((s) => sameLibrary(s.library, l))?.status ?? "not installed"}`).join(", ")}; check the cluster's Libraries tab`,
      );
    }
    await sleep(pollMs());
  }
}

export const provider = definedProvider({
  async check(_olds, news) {
    return checkWithSchema(configuredClusterInputsSchema, news, configuredClusterFields.secretInputs);
  },

  async diff(_id, olds: ConfiguredClusterOutputs, news: ConfiguredClusterInputs) {
    const { replaces, changes: inputsChanged } = configuredClusterFields.diff(olds, news, { configureTimeoutMinutes: sameConfigureTimeout });
    // Beyond the inputs: drift a refresh found is repaired by the next `up`.
    const changes = inputsChanged || (olds.drift?.length ?? 0) > 0;
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
    const statuses = await databricks.libraryStatuses(props.clusterId);
    const drift = [...driftOf(editableSpec(live), statuses, props.applied), ...libraryDrift(statuses, props.applied.libraries ?? [])];
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
      } else if (err instanceof ServiceError && err.status === 422) {
        // Hopsworks parses hopsworks_project_id as a number: any other value fails every call on the cluster.
        drift.push(`Hopsworks cannot read the cluster (its ${TAG_PROJECT_ID} tag is not a project id): ${(err as Error).message}`);
      } else if (hasCode(err, HopsworksCode.DATABRICKS_ERROR)) {
        // For example a registered key changed out of band: Hopsworks can no longer manage the cluster.
        drift.push(`Hopsworks cannot reach the cluster with the key registered for ${props.callerUsername}: ${(err as Error).message}`);
      } else throw err;
    }
    const refreshed = { ...props, clusterName: String(live.cluster_name ?? props.clusterName), drift };
    // As inputs, the live truth where an input has one: the user Hopsworks' tag now names (the
    // engine's diff then shows `targetUser: "<live>" => "<declared>"`). Everything else Hopsworks
    // added is not an input: it is named precisely in `drift`.
    const taggedUser = (live.custom_tags as Record<string, string> | undefined)?.[TAG_USER];
    const inputs = liveInputs(configuredClusterFields.inputKeys, refreshed);
    if (taggedUser !== undefined && taggedUser !== props.targetUsername) inputs.targetUser = taggedUser;
    return { id, props: refreshed, inputs };
  },

  async update(_id, olds: ConfiguredClusterOutputs, news: ConfiguredClusterInputs) {
    const reconfigure =
      (olds.drift?.length ?? 0) > 0 ||
      olds.project !== news.project ||
      olds.targetUser !== news.targetUser ||
      (olds.hopsworksPort ?? 443) !== (news.hopsworksPort ?? 443) ||
      olds.clientLibrary !== news.clientLibrary;
    if (!reconfigure) {
      const setup = { clientLibrary: olds.hsfsVersion, sparkConf: olds.hopsworksSparkConf };
      return { outs: { ...olds, ...news, connection: connectionOf(news, setup), snippet: connectionSnippet(connectionOf(news, setup)) } };
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
    const statuses = await databricks.libraryStatuses(props.clusterId);
    const hsfs = props.applied.hsfsRequirement;
    // (State written before every library was recorded; a FAILED one goes too.)
    if (hsfs && !props.applied.hsfsPreinstalled && hasLibrary(statuses, { pypi: { package: hsfs } })) {
      await databricks.uninstallLibraries(props.clusterId, [{ pypi: { package: hsfs } }]);
    }
    // Every library the configuration installed (jars, hops, the client), and the client it
    // replaced if it came back; never one the cluster had before.
    const user = props.applied.userLibraries ?? [];
    const toRemove = [...(props.applied.libraries ?? []), ...(props.applied.replacedLibraries ?? [])].filter(
      (l) => hasLibrary(statuses, l) && !user.some((u) => sameLibrary(u, l)),
    );
    if (toRemove.length > 0) await databricks.uninstallLibraries(props.clusterId, toRemove);
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
  /** Path of the Hopsworks API key file on the cluster, for the notebook client (`secretsStore: "local"` needs it). Only shapes the outputs. */
  apiKeyFile?: pulumi.Input<string>;
  /**
   * The Python client the cluster ends up with, e.g. `hopsworks[python]~=4.2.0`. Hopsworks
   * installs `hsfs~=X.Y.0` of its own version, which PyPI lacks for 3.5, 3.6 and everything from
   * 3.8 (Databricks marks it FAILED): then this is installed instead and Hopsworks' removed.
   * Default: Hopsworks' own where PyPI has it, else the nearest older `hsfs` below 4.0 and
   * `hopsworks[python]~=X.Y.0` from 4.0. Changing it reconfigures in place.
   */
  clientLibrary?: pulumi.Input<string>;
  /** How long Hopsworks' configure call may take, in minutes (default 10). It is never sent again while one may still run. */
  configureTimeoutMinutes?: pulumi.Input<number>;
  /**
   * Take over a cluster that is not this resource's (default false). A cluster another stack's
   * resource claims (its `pulumi_configured_by` tag), or one Hopsworks is configured on for another
   * user or project, is refused at create naming who holds it; with `takeOver: true` this resource
   * configures it and claims it. The other stack then reports drift until its resource is removed.
   */
  takeOver?: pulumi.Input<boolean>;
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
  /** The Python client requirement installed, e.g. `hsfs~=3.7.0` or `hopsworks[python]~=4.2.0`. */
  declare readonly hsfsVersion: pulumi.Output<string>;
  /** The Hopsworks release configured with, e.g. `3.7.1`, and its family: A (2.0–2.2), B (2.3–3.6), C (3.7+). */
  declare readonly hopsworksVersion: pulumi.Output<string>;
  declare readonly releaseFamily: pulumi.Output<string>;
  /** `<addr>` of Hopsworks' DBFS paths (the application server's internal address). */
  declare readonly hopsworksAddress: pulumi.Output<string>;
  /** Every library the configuration installed, e.g. `pypi hsfs~=3.7.0`, `jar dbfs:///hopsworks/<addr>/….jar`. */
  declare readonly libraries: pulumi.Output<string[]>;
  /** The Spark properties Hopsworks set (key → value). */
  declare readonly hopsworksSparkConf: pulumi.Output<Record<string, string>>;
  /** DBFS path of the init script Hopsworks added (empty from 3.7: it adds none). */
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
      configuredClusterFields.resourceInputs(args, {
        project: args.project ?? defaultHopsworksProject(),
        hopsworksHost: args.hopsworksHost ?? defaultHopsworksHost(),
        hopsworksPort: args.hopsworksPort ?? defaultHopsworksPort(),
        claim: claimOf(pulumi.getProject(), pulumi.getStack(), name),
      }),
      configuredClusterFields.withSecretOutputs(opts),
      "databricks-integrations",
      "HopsworksConfiguredCluster",
    );
  }
}

const configuredClusterProvider = lazyProvider(implementationPath("hopsworks/configured-cluster"));
