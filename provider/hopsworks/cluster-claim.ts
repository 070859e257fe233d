import { ConfigurationError } from "../core/errors";
import { CLAIM_TAG, TAG_PROJECT_ID, TAG_USER } from "./cluster-settings";

/**
 * Refuses to configure a cluster that belongs to someone else: one another stack's resource
 * claims (its tag names another `<project>/<stack>/<name>`), or one Hopsworks is configured on
 * for another user or project (its `hopsworks_user` / `hopsworks_project_id` tags) without a claim
 * of ours. Two stacks that both configure a cluster would otherwise take turns: each `up`
 * reconfigures it for its own user, the other's refresh reports drift, and either destroy takes
 * out what the other still relies on. `takeOver` is the explicit way to move a cluster over.
 * A cluster whose tags already name this resource (an interrupted create) or this target is ours.
 */
export function assertClusterIsOurs(a: {
  clusterId: string;
  liveTags: Record<string, string> | undefined;
  claim: string | undefined;
  targetUsername: string;
  projectId: number;
  project: string;
  takeOver: boolean;
  /** Only another stack's claim counts (an update of our own configuration). */
  claimOnly?: boolean;
}): void {
  if (a.takeOver) return;
  const tags = a.liveTags ?? {};
  const holder = tags[CLAIM_TAG];
  const how = `set takeOver: true on this resource to move the cluster to this stack (the other stack then reports drift until its resource is removed), or remove that resource first`;
  if (holder !== undefined && a.claim !== undefined && holder !== a.claim) {
    throw new ConfigurationError(
      `cluster ${a.clusterId} is already configured by another stack's resource "${holder}" (its ${CLAIM_TAG} tag); two stacks configuring one cluster would take turns reconfiguring it. ${how}`,
    );
  }
  if ((holder !== undefined && holder === a.claim) || a.claimOnly) return;
  const user = tags[TAG_USER];
  const projectId = tags[TAG_PROJECT_ID];
  const otherUser = user !== undefined && user !== a.targetUsername;
  const otherProject = projectId !== undefined && projectId !== String(a.projectId);
  if (otherUser || otherProject) {
    throw new ConfigurationError(
      `cluster ${a.clusterId} is already configured by Hopsworks for user "${user ?? "?"}" in project ${projectId ?? "?"} (its ${TAG_USER} / ${TAG_PROJECT_ID} tags), not for "${a.targetUsername}" in ${a.project} (${a.projectId}). ` +
        `Configuring it again would take it from them: ${how}`,
    );
  }
}
