import type { WorkspaceArea } from "./workspace";

/**
 * The API areas every sandbox workspace serves besides tokens. Each lives in its own module
 * (state slice + seed + routes); add new ones here.
 */
export const workspaceAreas: WorkspaceArea<unknown>[] = [];
