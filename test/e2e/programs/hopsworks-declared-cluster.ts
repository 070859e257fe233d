import * as pulumi from "@pulumi/pulumi";
import { HopsworksConfiguredCluster } from "pulumi-databricks-integrations";

/**
 * The Hopsworks half of examples/hopsworks-databricks: a configured cluster whose spec another
 * tool owns (and declares Hopsworks' settings in), so delete leaves the spec alone.
 */
export = async () => {
  const config = new pulumi.Config("test");
  const cluster = new HopsworksConfiguredCluster("declared", {
    workspaceHost: config.require("workspaceHost"),
    clusterId: config.require("clusterId"),
    targetUser: config.require("targetUser"),
    restoreOnDelete: false,
  });
  return { drift: cluster.drift, restored: cluster.restored };
};
