import type * as pulumi from "@pulumi/pulumi";
import { defaultQualyticsUrl } from "../core/program-defaults";

/** The connection form both Databricks datastores share (Qualytics' "Add Datastore" fields). */
export interface QualyticsDatastoreConnectionArgs {
  /** Qualytics instance URL (`https://<instance>.qualytics.io/api`). Defaults to `qualytics:url` config or `QUALYTICS_URL`. Changing it replaces the datastore. */
  qualyticsUrl?: pulumi.Input<string>;
  /** Token for this resource's Qualytics calls, instead of `qualytics:token` / `QUALYTICS_TOKEN`. Stored as a secret. */
  qualyticsToken?: pulumi.Input<string>;
  /** Datastore name, unique in the instance. Renames in place. */
  name: pulumi.Input<string>;
  /** "Server Hostname": the workspace host only, e.g. `dbc-1a2b3c4d-5e6f.cloud.databricks.com` or `adb-1234567890123456.7.azuredatabricks.net`. */
  serverHostname: pulumi.Input<string>;
  /** "Http Path": `/sql/1.0/warehouses/<warehouse-id>` or `sql/protocolv1/o/<org-id>/<cluster-id>` (not the JDBC URL). */
  httpPath: pulumi.Input<string>;
  /** "Catalog" in Unity Catalog. */
  catalog?: pulumi.Input<string>;
  /** "Database": the schema inside `catalog`. */
  database?: pulumi.Input<string>;
  /** "Personal Access Token" Qualytics connects with (for example a `DatabricksAccessToken`'s `value`). Secret; changing it updates in place. */
  personalAccessToken: pulumi.Input<string>;
  /** Teams that may see the datastore. Default `["Public"]`. */
  teams?: pulumi.Input<pulumi.Input<string>[]>;
  /** Tags. */
  tags?: pulumi.Input<pulumi.Input<string>[]>;
  description?: pulumi.Input<string>;
  /** Manage an existing datastore of the same name instead of failing. Dynamic resources cannot be `pulumi import`ed; this is the way to take one over. */
  adopt?: pulumi.Input<boolean>;
}

/** What the constructors set for the shared fields: the program-time default of the instance URL (the rest is as given; see the field tables). */
export const connectionDefaults = (args: QualyticsDatastoreConnectionArgs) => ({ qualyticsUrl: args.qualyticsUrl ?? defaultQualyticsUrl() });
