import { ConfigurationError, ServiceError } from "../core/errors";
import { HopsworksCode, hasCode, type HopsworksClient } from "./client";

/** Project id by name, with the errors a person can act on. */
export async function projectIdOf(client: HopsworksClient, project: string): Promise<number> {
  try {
    return (await client.projectInfo(project)).projectId;
  } catch (err) {
    if (hasCode(err, HopsworksCode.PROJECT_NOT_FOUND) || (err instanceof ServiceError && err.status === 404)) {
      throw new ConfigurationError(
        `project "${project}" does not exist on Hopsworks ${client.host}: check the name (it is case-sensitive) or create the project first`,
      );
    }
    if (hasCode(err, HopsworksCode.NO_ROLE) || hasCode(err, HopsworksCode.ROLE_FORBIDDEN) || (err instanceof ServiceError && err.status === 403)) {
      throw new ConfigurationError(
        `the configured Hopsworks user is not a member of project "${project}": ask one of its Data owners to add them (Project settings → Members)`,
      );
    }
    throw err;
  }
}
