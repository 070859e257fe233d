import * as pulumi from "@pulumi/pulumi";
import { HopsworksConfiguredCluster } from "pulumi-databricks-integrations";

/** One configured cluster whose every input comes from `test:*` config: for refused operations. */
export = async () => {
  const config = new pulumi.Config("test");
  const cluster = new HopsworksConfiguredCluster("cluster", {
    workspaceHost: config.require("workspaceHost"),
    clusterId: config.require("clusterId"),
    project: config.get("project"),
    targetUser: config.get("targetUser"),
  });
  return { drift: cluster.drift };
};
