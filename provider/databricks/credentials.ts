import { ConfigurationError } from "../core/errors";
import { setting } from "../core/settings";
import { parseWorkspaceHost } from "./host";

export interface DatabricksCredentials {
  host: string;
  token: string;
}

/**
 * The workspace and token a Databricks call uses: the resource's own inputs when given, else
 * the `databricks:host` / `databricks:token` stack config that `@pulumi/databricks` users
 * already set, else `DATABRICKS_HOST` / `DATABRICKS_TOKEN`.
 */
export function databricksCredentials(override: { host?: string; token?: string } = {}): DatabricksCredentials {
  const rawHost = override.host ?? setting("databricks:host", "DATABRICKS_HOST");
  if (!rawHost) {
    throw new ConfigurationError(
      "no Databricks workspace host: set the resource's `host` input, or `pulumi config set databricks:host <workspace-url>`, or DATABRICKS_HOST",
    );
  }
  const parsed = parseWorkspaceHost(rawHost);
  if ("error" in parsed) throw new ConfigurationError(`Databricks host ${parsed.error}`);
  const token = override.token ?? setting("databricks:token", "DATABRICKS_TOKEN");
  if (!token) {
    throw new ConfigurationError(
      "no Databricks token: set the resource's `authToken` input, or `pulumi config set --secret databricks:token <token>`, or DATABRICKS_TOKEN",
    );
  }
  return { host: parsed.host, token };
}
