import * as pulumi from "@pulumi/pulumi";

/**
 * The workspace host a resource targets when its `host` input is omitted, read in the Pulumi
 * program (so it is recorded as an input and a change of workspace shows in the diff): the
 * `databricks:host` stack config, else `DATABRICKS_HOST`.
 */
export function defaultDatabricksHost(): string | undefined {
  return new pulumi.Config("databricks").get("host") ?? (process.env.DATABRICKS_HOST || undefined);
}
