import * as pulumi from "@pulumi/pulumi";
import { SETTING_SOURCES, type SettingSource } from "./settings";

/**
 * Defaults read in the Pulumi program, in the resource constructors, for inputs a program
 * omits: so they are recorded as inputs, and a change (of workspace, instance, project) shows
 * in the diff. Each is the stack config key, else its environment variable (the same keys the
 * provider process reads, from `SETTING_SOURCES`).
 */
function programSetting(source: SettingSource): string | undefined {
  const [namespace, key] = source.configKey!.split(":") as [string, string];
  return new pulumi.Config(namespace).get(key) ?? (process.env[source.envVar] || undefined);
}

/** The workspace a Databricks resource targets: `databricks:host`, else `DATABRICKS_HOST`. */
export const defaultDatabricksHost = (): string | undefined => programSetting(SETTING_SOURCES.databricksHost);

/** The Hopsworks cluster: `hopsworks:host`, else `HOPSWORKS_HOST`. */
export const defaultHopsworksHost = (): string | undefined => programSetting(SETTING_SOURCES.hopsworksHost);

/** Its port: `hopsworks:port`, else `HOPSWORKS_PORT` (not a number: check says so for `hopsworksPort`). */
export const defaultHopsworksPort = (): number | undefined => {
  const raw = programSetting(SETTING_SOURCES.hopsworksPort);
  return raw === undefined ? undefined : Number(raw);
};

/** The Hopsworks project: `hopsworks:project`, else `HOPSWORKS_PROJECT`. */
export const defaultHopsworksProject = (): string | undefined => programSetting(SETTING_SOURCES.hopsworksProject);

/** The Qualytics instance: `qualytics:url`, else `QUALYTICS_URL`. */
export const defaultQualyticsUrl = (): string | undefined => programSetting(SETTING_SOURCES.qualyticsUrl);
