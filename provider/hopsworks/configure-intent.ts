import type { IntendedSettings } from "../databricks/cluster-policy";
import { TAG_PROJECT_ID, TAG_USER, hopsworksSparkConf } from "./cluster-settings";

/**
 * What Hopsworks' configure will write into a cluster (its Spark keys with their values, its two
 * tags, its DBFS init script), so a cluster policy can be checked against it before Hopsworks is
 * asked. Built from the same prediction as `hopsworksClusterSettings`; a policy rule on a key
 * whose predicted value is off would refuse wrongly, so only paths Hopsworks certainly writes
 * are listed.
 */
export function hopsworksIntent(a: { hopsworksHost: string; project: string; username: string; projectId: number }): IntendedSettings {
  return {
    sparkConf: hopsworksSparkConf({ hopsworksHost: a.hopsworksHost, project: a.project, username: a.username }),
    customTags: { [TAG_PROJECT_ID]: String(a.projectId), [TAG_USER]: a.username },
    initScriptDestinations: [`dbfs:/hopsworks/${a.hopsworksHost}/${a.project}__${a.username}/initScript.sh`],
  };
}
