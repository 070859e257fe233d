import * as pulumi from "@pulumi/pulumi";
import { DatabricksAccessToken } from "pulumi-databricks-integrations";

/**
 * The engine floor: `bench:count` resources that are either trivial dynamic resources (a provider
 * whose methods return at once and call nothing) or ours (Databricks access tokens, the cheapest
 * of our types: one or two calls each).
 */
const trivialProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: `trivial-${inputs.index}`, outs: inputs };
  },
  async read(id, props) {
    return { id, props };
  },
};

class Trivial extends pulumi.dynamic.Resource {
  constructor(name: string, index: number) {
    super(trivialProvider, name, { index }, {});
  }
}

export = async () => {
  const config = new pulumi.Config("bench");
  const count = config.requireNumber("count");
  const kind = config.require("kind");
  for (let i = 0; i < count; i++) {
    const name = `r${String(i).padStart(3, "0")}`;
    if (kind === "trivial") new Trivial(name, i);
    else new DatabricksAccessToken(name, { comment: `bench floor ${name}`, lifetimeDays: 90 });
  }
  return {};
};
