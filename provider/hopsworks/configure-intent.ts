import type { IntendedSettings } from "../databricks/cluster-policy";
import { TAG_PROJECT_ID, TAG_USER, hopsworksSparkConf } from "./cluster-settings";
import { setsMetastore, type ReleaseFamily } from "./release-family";

/**
 * What Hopsworks' configure will write into a cluster (its Spark keys with their values, its two
 * tags, its DBFS init script where its release family writes one), so a cluster policy can be
 * checked against it before Hopsworks is asked. Built from the same prediction as
 * `hopsworksClusterSettings`, for the release family the instance reports. Paths hold Hopsworks'
 * internal address, which is known only once Hopsworks has written them; the public host stands in
 * (a policy that pins those exact paths is rare: forbidding a key or DBFS init scripts is what
 * policies do, and that is judged right either way).
 */
export function hopsworksIntent(a: { hopsworksHost: string; project: string; username: string; projectId: number; family: ReleaseFamily }): IntendedSettings {
  return {
    sparkConf: hopsworksSparkConf({ hopsworksHost: a.hopsworksHost, project: a.project, username: a.username }, a.family),
    customTags: { [TAG_PROJECT_ID]: String(a.projectId), [TAG_USER]: a.username },
    // Families A and B replace the cluster's init scripts with theirs; from 3.7 none is written.
    initScriptDestinations: setsMetastore(a.family) ? [`dbfs:///hopsworks/${a.hopsworksHost}/${a.project}__${a.username}/initScript.sh`] : [],
  };
}
