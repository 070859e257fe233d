import { required, settings } from "../core/settings";

export interface DatabricksCredentials {
  host: string;
  token: string;
}

/**
 * The workspace and token a Databricks call uses. `host` is the bare workspace host as
 * `workspaceHostSchema` yields it (check validated it; state holds that form). The token is the
 * resource's own input when given, else the `databricks:token` stack config that
 * `@pulumi/databricks` users already set, else `DATABRICKS_TOKEN`.
 */
export function databricksCredentials(target: { host: string; token?: string }): DatabricksCredentials {
  const token = target.token ?? settings().databricks.token;
  const missing = "no Databricks token: set the resource's `authToken` input, or `pulumi config set --secret databricks:token <token>`, or DATABRICKS_TOKEN";
  return { host: target.host, token: required(token, missing) };
}
