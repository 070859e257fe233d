import type { WorkspaceArea } from "./workspace";
import { clustersArea } from "./clusters";
import { clusterPermissionsArea } from "./permissions";
import { librariesArea } from "./libraries";
import { dbfsArea } from "./dbfs";
import { workspaceFilesArea } from "./workspace-files";
import { unityCatalogArea } from "./unity-catalog";
import { filesApiArea } from "./files-api";
import { sqlWarehousesArea } from "./sql-warehouses";
import { identityArea } from "./identity";
import { clusterPoliciesArea } from "./cluster-policies";

/**
 * The API areas every sandbox workspace serves besides tokens. Each lives in its own module
 * (state slice + seed + routes); add new ones here.
 */
export const workspaceAreas: WorkspaceArea<unknown>[] = [
  // Policies first: seeded clusters under a policy are checked against it.
  clusterPoliciesArea as WorkspaceArea<unknown>,
  clustersArea as WorkspaceArea<unknown>,
  clusterPermissionsArea as WorkspaceArea<unknown>,
  librariesArea as WorkspaceArea<unknown>,
  dbfsArea as WorkspaceArea<unknown>,
  workspaceFilesArea as WorkspaceArea<unknown>,
  unityCatalogArea as WorkspaceArea<unknown>,
  filesApiArea as WorkspaceArea<unknown>,
  sqlWarehousesArea as WorkspaceArea<unknown>,
  identityArea as WorkspaceArea<unknown>,
];
