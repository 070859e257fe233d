import type { WorkspaceArea } from "./workspace";
import { clustersArea } from "./clusters";
import { clusterPermissionsArea } from "./permissions";
import { librariesArea } from "./libraries";

/**
 * The API areas every sandbox workspace serves besides tokens. Each lives in its own module
 * (state slice + seed + routes); add new ones here.
 */
export const workspaceAreas: WorkspaceArea<unknown>[] = [
  clustersArea as WorkspaceArea<unknown>,
  clusterPermissionsArea as WorkspaceArea<unknown>,
  librariesArea as WorkspaceArea<unknown>,
];
