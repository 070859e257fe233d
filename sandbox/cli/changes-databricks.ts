import type { ChangeContext, ChangeResult, NamedChange } from "./changes";
import { CliError, usageError } from "./errors";
import {
  HOPSWORKS_SPARK_KEYS,
  HOSTNAME_VERIFIER_KEY,
  hopsworksKeysIn,
  hopsworksProjectOf,
  initScriptDestination,
  isHopsworksInitScript,
  isHopsworksClient,
  isHopsworksJar,
  libraryName,
} from "./hopsworks-marks";
import type { Cluster, Workspace } from "./services";

const clusterOption = { name: "cluster", arg: "id", help: "cluster id (default: the only cluster with Hopsworks tags)" };
const describe = (c: Cluster) => `${c.cluster_id} (${c.cluster_name ?? ""}, ${c.state ?? ""})`;

/** `--cluster`, else the only cluster carrying Hopsworks' project tag. */
async function targetCluster(ctx: ChangeContext): Promise<{ ws: Workspace; cluster: Cluster }> {
  const ws = ctx.session.workspace(ctx.workspaceHost);
  const clusters = await ws.clusters();
  const listed = clusters.map(describe).join(", ") || "none";
  const given = ctx.option("cluster");
  if (given !== undefined) {
    const cluster = clusters.find((c) => c.cluster_id === given);
    if (!cluster) throw usageError(`--cluster: no cluster ${given} on ${ws.host} (clusters: ${listed})`);
    return { ws, cluster };
  }
  const tagged = clusters.filter((c) => hopsworksProjectOf(c) !== undefined);
  if (tagged.length === 1) return { ws, cluster: tagged[0]! };
  if (tagged.length === 0) throw usageError(`--cluster is needed: no cluster on ${ws.host} carries Hopsworks tags (clusters: ${listed})`);
  throw usageError(`--cluster is needed: several clusters on ${ws.host} carry Hopsworks tags: ${tagged.map(describe).join(", ")}`);
}

/** Edits the cluster through the console's form (`clusters/edit` with the whole spec, changed). */
async function editCluster(ctx: ChangeContext, change: (spec: Cluster) => string): Promise<ChangeResult> {
  const { ws, cluster } = await targetCluster(ctx);
  let what = "";
  const spec = await ws.editCluster(cluster.cluster_id, (s) => (what = change(s)), ctx.progress);
  const after = await ws.cluster(spec.cluster_id);
  const restart = after.state === "RESTARTING" ? " (the running cluster restarts to apply it)" : "";
  return { target: `cluster ${cluster.cluster_id} on ${ws.host}`, done: [`${what}${restart}`] };
}

export const databricksChanges: NamedChange[] = [
  {
    name: "remove-hopsworks-spark-keys",
    service: "databricks",
    summary: "edit a cluster, dropping the Spark properties Hopsworks set",
    options: [clusterOption],
    run: (ctx) =>
      editCluster(ctx, (spec) => {
        const present = hopsworksKeysIn(spec);
        if (present.length === 0) throw new CliError(`databricks: cluster ${spec.cluster_id} has none of Hopsworks' Spark keys`);
        const conf = { ...(spec.spark_conf ?? {}) };
        for (const key of HOPSWORKS_SPARK_KEYS) delete conf[key];
        spec.spark_conf = conf;
        return `removed ${present.length} Hopsworks Spark keys (${present.length}/${HOPSWORKS_SPARK_KEYS.length} were present)`;
      }),
  },
  {
    name: "change-hopsworks-spark-key",
    service: "databricks",
    summary: `edit a cluster, changing ${HOSTNAME_VERIFIER_KEY}`,
    options: [clusterOption, { name: "value", arg: "value", help: "new value (default: STRICT, or ALLOW_ALL if it is STRICT already)" }],
    run: (ctx) =>
      editCluster(ctx, (spec) => {
        const conf = { ...(spec.spark_conf ?? {}) };
        const before = conf[HOSTNAME_VERIFIER_KEY];
        const value = ctx.option("value") ?? (before === "STRICT" ? "ALLOW_ALL" : "STRICT");
        if (value === before) throw usageError(`--value: ${HOSTNAME_VERIFIER_KEY} is ${value} already`);
        spec.spark_conf = { ...conf, [HOSTNAME_VERIFIER_KEY]: value };
        return `set ${HOSTNAME_VERIFIER_KEY} to ${value} (was ${before ?? "unset"})`;
      }),
  },
  {
    name: "remove-hopsworks-init-script",
    service: "databricks",
    summary: "edit a cluster, dropping the init script Hopsworks installed (dbfs:/hopsworks/...)",
    options: [clusterOption],
    run: (ctx) =>
      editCluster(ctx, (spec) => {
        const scripts = (spec.init_scripts ?? []) as Record<string, any>[];
        const removed = scripts.filter(isHopsworksInitScript);
        if (removed.length === 0) throw new CliError(`databricks: cluster ${spec.cluster_id} has no Hopsworks init script`);
        const kept = scripts.filter((s) => !isHopsworksInitScript(s));
        if (kept.length > 0) spec.init_scripts = kept;
        else delete spec.init_scripts;
        return `removed init script ${removed.map(initScriptDestination).join(", ")}`;
      }),
  },
  {
    name: "uninstall-hsfs",
    service: "databricks",
    summary: "uninstall the Hopsworks Python client (hsfs, or hopsworks from 4.x) from a cluster (takes effect at its next restart)",
    options: [clusterOption, { name: "restart", help: "restart the cluster now so the uninstall takes effect", flag: true }],
    async run(ctx) {
      const { ws, cluster } = await targetCluster(ctx);
      const id = cluster.cluster_id;
      const hsfs = (await ws.libraries(id)).filter((l) => isHopsworksClient(l.library) && l.status !== "UNINSTALL_ON_RESTART");
      if (hsfs.length === 0) throw new CliError(`databricks: cluster ${id} has no hsfs or hopsworks library to uninstall`);
      await ws.admin.client.post("/api/2.0/libraries/uninstall", { cluster_id: id, libraries: hsfs.map((l) => l.library) });
      const done = [`marked ${hsfs.map((l) => libraryName(l.library)).join(", ")} for uninstall`];
      if (ctx.flag("restart")) {
        const settled = await ws.settled(id, ctx.progress);
        if (settled.state === "RUNNING") {
          await ws.admin.client.post("/api/2.0/clusters/restart", { cluster_id: id });
          done.push("restarted the cluster: the library is gone once it is up");
        } else done.push("the cluster is terminated: the library is gone at its next start");
      } else done.push("takes effect at the cluster's next restart (--restart restarts it now)");
      return { target: `cluster ${id} on ${ws.host}`, done };
    },
  },
  {
    name: "uninstall-hopsworks-jar",
    service: "databricks",
    summary: "uninstall one of the jar libraries Hopsworks installed from dbfs:/hopsworks/ (2.3 and later; takes effect at the next restart)",
    options: [clusterOption],
    async run(ctx) {
      const { ws, cluster } = await targetCluster(ctx);
      const id = cluster.cluster_id;
      const jar = (await ws.libraries(id)).find((l) => isHopsworksJar(l.library) && l.status !== "UNINSTALL_ON_RESTART");
      if (!jar) throw new CliError(`databricks: cluster ${id} has no Hopsworks jar library to uninstall`);
      await ws.admin.client.post("/api/2.0/libraries/uninstall", { cluster_id: id, libraries: [jar.library] });
      return { target: `cluster ${id} on ${ws.host}`, done: [`marked ${libraryName(jar.library)} for uninstall (takes effect at the cluster's next restart)`] };
    },
  },
  {
    name: "delete-cluster",
    service: "databricks",
    summary: "permanently delete a cluster",
    options: [clusterOption],
    async run(ctx) {
      const { ws, cluster } = await targetCluster(ctx);
      await ws.admin.client.post("/api/2.0/clusters/permanent-delete", { cluster_id: cluster.cluster_id });
      return { target: `cluster ${cluster.cluster_id} on ${ws.host}`, done: [`permanently deleted ${describe(cluster)}`] };
    },
  },
  {
    name: "revoke-token",
    service: "databricks",
    summary: "revoke a personal access token",
    options: [{ name: "token", arg: "id", help: "token id or a unique prefix of it (default: the newest token whose comment has [pulumi:)" }],
    async run(ctx) {
      const ws = ctx.session.workspace(ctx.workspaceHost);
      // token/list shows the caller's own tokens, so look as every seeded user.
      const tokens: { owner: (typeof ws.users)[number]; id: string; comment: string; created: number }[] = [];
      for (const user of ws.users) {
        const reply = await user.client.call("GET", "/api/2.0/token/list", { accept: [401, 403] });
        for (const t of reply.status === 200 ? (reply.body.token_infos ?? []) : []) {
          tokens.push({ owner: user, id: t.token_id, comment: t.comment ?? "", created: t.creation_time });
        }
      }
      const listed = tokens.map((t) => `${t.id.slice(0, 12)} (${t.comment || "no comment"})`).join(", ") || "none";
      const given = ctx.option("token");
      let token: (typeof tokens)[number] | undefined;
      if (given !== undefined) {
        const matches = tokens.filter((t) => t.id.startsWith(given));
        if (matches.length > 1) throw usageError(`--token: ${given} matches ${matches.length} tokens on ${ws.host}; give more of the id`);
        token = matches[0];
        if (!token) throw usageError(`--token: no token ${given} on ${ws.host} (tokens: ${listed})`);
      } else {
        token = tokens.filter((t) => t.comment.includes("[pulumi:")).sort((a, b) => b.created - a.created)[0];
        if (!token) throw usageError(`--token is needed: no token on ${ws.host} has [pulumi: in its comment (tokens: ${listed})`);
      }
      await token.owner.client.post("/api/2.0/token/delete", { token_id: token.id });
      return {
        target: `token ${token.id} on ${ws.host}`,
        done: [`revoked ${token.owner.userName}'s token ${token.id.slice(0, 12)} (${token.comment || "no comment"})`],
      };
    },
  },
];
