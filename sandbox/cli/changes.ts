import type { ServiceName } from "./home";
import type { Session } from "./services";
import { databricksChanges } from "./changes-databricks";
import { hopsworksChanges } from "./changes-hopsworks";
import { qualyticsChanges } from "./changes-qualytics";

export interface ChangeContext {
  session: Session;
  /** A change-specific option (`--cluster`, `--token`, ...), or undefined. */
  option(name: string): string | undefined;
  flag(name: string): boolean;
  /** `--workspace`: the Databricks workspace (default: the first in the seed). */
  workspaceHost?: string;
  /** Progress for people (waiting for a cluster, ...); goes to stderr. */
  progress(line: string): void;
}

export interface ChangeResult {
  /** What was changed, e.g. `cluster 0923-164208-abcd1234 on dbc-....cloud.databricks.com`. */
  target: string;
  /** What was done, one line each. */
  done: string[];
}

/** An out-of-band change, made through the service's public API the way a person in its console would. */
export interface NamedChange {
  name: string;
  service: ServiceName;
  summary: string;
  /** Options of this change (besides the common ones), with what they mean. */
  options: { name: string; help: string; arg?: string; flag?: boolean }[];
  run(ctx: ChangeContext): Promise<ChangeResult>;
}

export const CHANGES: readonly NamedChange[] = [...databricksChanges, ...hopsworksChanges, ...qualyticsChanges];

export const findChange = (name: string) => CHANGES.find((c) => c.name === name);
