import * as pulumi from "@pulumi/pulumi";
import { DatabricksAccessToken, HopsworksConfiguredCluster, HopsworksDatabricksInstance } from "pulumi-databricks-integrations";

/**
 * The Hopsworks half: a Databricks token registered with Hopsworks, and two clusters configured
 * through it (one for the caller, one by the caller as Data owner for another member). `test:*`
 * config shapes the cases: key rotation, the target user, an extra cluster.
 */
export = async () => {
  const config = new pulumi.Config("test");
  const token = new DatabricksAccessToken("hopsworks-pat", { comment: "hopsworks integration", lifetimeDays: 90 });
  // Rotation: a second token takes over the registration in place.
  const rotated = config.getBoolean("rotate")
    ? new DatabricksAccessToken("hopsworks-pat-2", { comment: "hopsworks integration (rotated)", lifetimeDays: 90 })
    : undefined;
  const instance = new HopsworksDatabricksInstance("workspace", { workspaceHost: token.host, apiKey: rotated?.value ?? token.value });

  const training = new HopsworksConfiguredCluster("training", {
    workspaceHost: instance.workspaceHost,
    clusterId: config.require("terminatedCluster"),
  });
  const features = new HopsworksConfiguredCluster("features", {
    workspaceHost: instance.workspaceHost,
    clusterId: config.require("runningCluster"),
    targetUser: config.get("targetUser"),
  });
  // One Hopsworks instance per older release family, each with its own registration and two
  // clusters (RUNNING with its own init script; TERMINATED with a policy and single-user access mode).
  const families = JSON.parse(config.get("families") ?? "[]") as { host: string; running: string; terminated: string }[];
  const familyOutputs = families.map((f) => {
    const tag = f.host.split(".")[0]!;
    const registration = new HopsworksDatabricksInstance(`workspace-${tag}`, { workspaceHost: token.host, apiKey: token.value, hopsworksHost: f.host });
    const one = (kind: "running" | "terminated") => {
      const c = new HopsworksConfiguredCluster(`${tag}-${kind}`, { workspaceHost: registration.workspaceHost, clusterId: f[kind], hopsworksHost: f.host });
      return {
        family: c.releaseFamily,
        version: c.hopsworksVersion,
        client: c.hsfsVersion,
        libraries: c.libraries,
        initScript: c.initScript,
        restored: c.restored,
        sparkKeys: c.hopsworksSparkConf.apply((conf) => Object.keys(conf).sort()),
        address: c.hopsworksAddress,
        snippet: c.snippet,
        drift: c.drift,
      };
    };
    return { host: f.host, running: one("running"), terminated: one("terminated") };
  });

  const extraId = config.get("extraCluster");
  const extra = extraId ? new HopsworksConfiguredCluster("extra", { workspaceHost: instance.workspaceHost, clusterId: extraId }) : undefined;

  return {
    pat: token.value,
    rotatedPat: rotated?.value,
    keyStatus: instance.keyStatus,
    registeredFor: instance.username,
    trainingRestored: training.restored,
    trainingState: training.clusterState,
    featuresRestored: features.restored,
    featuresUser: features.targetUsername,
    hsfsVersion: features.hsfsVersion,
    featuresLibraries: features.libraries,
    featuresFamily: features.releaseFamily,
    families: familyOutputs,
    sparkKeys: features.hopsworksSparkConf.apply((conf) => Object.keys(conf).sort()),
    initScript: features.initScript,
    connection: features.connection,
    snippet: features.snippet,
    featuresDrift: features.drift,
    extraDrift: extra?.drift,
  };
};
