import * as pulumi from "@pulumi/pulumi";
import { QualyticsDatabricksDatastore } from "pulumi-databricks-integrations";

/** One source datastore whose every connection field comes from `test:*` config. */
export = async () => {
  const config = new pulumi.Config("test");
  const source = new QualyticsDatabricksDatastore("source", {
    name: config.require("name"),
    serverHostname: config.require("serverHostname"),
    httpPath: config.require("httpPath"),
    catalog: config.get("catalog"),
    database: config.get("database"),
    personalAccessToken: config.requireSecret("pat"),
    adopt: config.getBoolean("adopt"),
  });
  return { id: source.datastoreId, connected: source.connected };
};
