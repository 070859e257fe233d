import { ancestorsOf, isUnder, parentOf, ROOT } from "../common/paths";
export { ancestorsOf, parentOf, ROOT };
import { DatabricksApiError, invalidParameter } from "./errors";
import type { NotebookFormat, NotebookLanguage } from "./workspace-files-notebooks";

/**
 * The workspace tree (notebooks, files, folders) as plain JSON, keyed by absolute path, with the
 * real API's error wording. Routes live in workspace-files.ts.
 */

export type ObjectType = "DIRECTORY" | "FILE" | "NOTEBOOK";

export interface WorkspaceObject {
  objectType: ObjectType;
  objectId: number;
  createdAt: number;
  modifiedAt: number;
  /** Notebooks only. */
  language?: NotebookLanguage;
  /** Notebooks only: the format the content is stored in. */
  notebookFormat?: NotebookFormat;
  /** Files and notebooks: the bytes, base64. */
  contentB64?: string;
}

export interface WorkspaceFilesState {
  objects: Record<string, WorkspaceObject>;
}

/** Folders every workspace has; the API refuses to delete them. */
export const SYSTEM_FOLDERS = ["/", "/Users", "/Shared", "/Repos"];

export const pathNotFound = (path: string) => new DatabricksApiError(404, "RESOURCE_DOES_NOT_EXIST", `Path (${path}) doesn't exist.`);
/** 400, not 409, for /workspace/import (the CLI matches this exact message). */
export const pathExists = (path: string) => new DatabricksApiError(400, "RESOURCE_ALREADY_EXISTS", `Path (${path}) already exists.`);
export const parentMissing = (parent: string) => new DatabricksApiError(404, "RESOURCE_DOES_NOT_EXIST", `The parent folder (${parent}) does not exist.`);

/**
 * Absolute paths only. `/Workspace/...` is the same tree seen through its FUSE prefix, which the
 * API accepts too; the sandbox stores and returns paths without it.
 */
export function normalizeWorkspacePath(raw: string | undefined): string {
  const text = (raw ?? "").trim();
  if (!text.startsWith("/")) throw invalidParameter(`Path (${text}) is not absolute.`);
  let parts = text.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw invalidParameter(`Path (${text}) must not contain '..'.`);
  if (parts[0] === "Workspace") parts = parts.slice(1);
  return `/${parts.join("/")}`;
}

export function childrenOf(objects: Record<string, WorkspaceObject>, dir: string): string[] {
  return Object.keys(objects)
    .filter((p) => isUnder(p, dir) && parentOf(p) === dir)
    .sort();
}

export const subtreeOf = (objects: Record<string, WorkspaceObject>, path: string) => Object.keys(objects).filter((p) => p === path || isUnder(p, path));

export const contentSize = (o: WorkspaceObject) => Buffer.byteLength(o.contentB64 ?? "", "base64");

/** The ObjectInfo shape of get-status and list. */
export function objectInfo(path: string, o: WorkspaceObject) {
  return {
    object_type: o.objectType,
    path,
    object_id: o.objectId,
    resource_id: String(o.objectId),
    ...(o.language ? { language: o.language } : {}),
    ...(o.objectType !== "DIRECTORY" ? { created_at: o.createdAt, modified_at: o.modifiedAt } : {}),
    ...(o.objectType === "FILE" ? { size: contentSize(o) } : {}),
  };
}
