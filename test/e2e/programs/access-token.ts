import * as pulumi from "@pulumi/pulumi";
import { DatabricksAccessToken } from "pulumi-databricks-integrations";

/** One access token, shaped by the `test:*` stack config so one program serves many cases. */
export = async () => {
  const config = new pulumi.Config("test");
  const lifetime = config.getNumber("lifetimeDays");
  const token = new DatabricksAccessToken("ci-token", {
    host: config.get("host"),
    comment: config.get("comment") ?? "e2e",
    lifetimeDays: lifetime,
    rotateBeforeDays: config.getNumber("rotateBeforeDays"),
    // Per-resource credentials instead of the `databricks:token` stack config, when given.
    authToken: config.getSecret("authToken"),
  });
  return { tokenId: token.tokenId, value: token.value, expiryTime: token.expiryTime, host: token.host };
};
