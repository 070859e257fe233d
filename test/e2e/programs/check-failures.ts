import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { DatabricksAccessToken } from "pulumi-databricks-integrations";

/** A bare dynamic resource, to see what the engine prints for each shape of check failure. */
class Shape extends pulumi.dynamic.Resource {
  constructor(name: string, property: string, authToken: pulumi.Input<string>) {
    const provider: pulumi.dynamic.ResourceProvider = {
      async check(_olds, news) {
        return { inputs: news, failures: [{ property, reason: "authToken: has leading or trailing whitespace" }] };
      },
      async create(inputs) {
        return { id: "never", outs: inputs };
      },
    };
    super(provider, name, { authToken }, {});
  }
}

/**
 * A secret read from a file, as people do (`fs.readFileSync` keeps the trailing newline), not
 * from stack config: the engine masks secret config values in everything it prints by itself,
 * but not a secret the program computed. `test:mode` picks `shape` (failure shape chosen by
 * `test:property`) or `token` (a DatabricksAccessToken with that secret as `authToken`).
 */
export = async () => {
  const config = new pulumi.Config("test");
  const secret = pulumi.secret(fs.readFileSync(config.require("secretFile"), "utf8"));
  if (config.require("mode") === "shape") {
    new Shape("shape", config.get("property") ?? "", secret);
    return {};
  }
  const token = new DatabricksAccessToken("ci-token", { comment: "check failures", authToken: secret });
  return { tokenId: token.tokenId };
};
