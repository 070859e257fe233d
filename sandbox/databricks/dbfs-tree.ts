import { ancestorsOf, isUnder, parentOf, ROOT } from "../common/paths";
export { ancestorsOf, parentOf, ROOT };
import { DatabricksApiError, invalidParameter } from "./errors";

/**
 * The DBFS namespace as plain JSON: one node per absolute path ("/" always exists), file bytes
 * base64-encoded. Pure functions over that map; the routes in dbfs.ts add the API's rules.
 */

export interface DbfsNode {
  isDir: boolean;
  /** Milliseconds since the epoch, as `modification_time`. */
  modificationTime: number;
  /** File bytes, base64 (files only). */
  contentB64?: string;
}

export type DbfsNodes = Record<string, DbfsNode>;

// ---- errors with the real DBFS wording and status ----

export const dbfsNotFound = (rawPath: string) => new DatabricksApiError(404, "RESOURCE_DOES_NOT_EXIST", `No file or directory exists on path ${rawPath}.`);

/** DBFS answers "already exists" with 400, not 409 (databricks/cli libs/filer/dbfs_client.go). */
export const dbfsAlreadyExists = (rawPath: string) =>
  new DatabricksApiError(400, "RESOURCE_ALREADY_EXISTS", `A file or directory already exists at the input path ${rawPath}.`);

/**
 * Accepts `/a/b` and `dbfs:/a/b` (the real API echoes `dbfs:/` paths back in its messages, so it
 * takes them); collapses duplicate and trailing slashes. Relative paths are refused.
 */
export function normalizeDbfsPath(raw: string | undefined): string {
  const text = (raw ?? "").trim();
  const path = text.startsWith("dbfs:") ? text.slice("dbfs:".length) : text;
  if (!path.startsWith("/")) throw invalidParameter(`Path must be absolute: ${text}`);
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw invalidParameter(`Path must not contain '..': ${text}`);
  return `/${parts.join("/")}`;
}

/** Direct children of a directory, sorted by path. */
export function childrenOf(nodes: DbfsNodes, dir: string): string[] {
  return Object.keys(nodes)
    .filter((p) => isUnder(p, dir) && parentOf(p) === dir)
    .sort();
}

/** The directory and everything below it. */
export const subtreeOf = (nodes: DbfsNodes, path: string) => Object.keys(nodes).filter((p) => p === path || isUnder(p, path));

/**
 * Creates the missing directories above `path` (DBFS creates parents implicitly). A file on the
 * way is RESOURCE_ALREADY_EXISTS, as mkdirs documents; nothing is created in that case.
 */
export function ensureDirectories(nodes: DbfsNodes, dirs: string[], now: number): void {
  const blocking = dirs.find((d) => nodes[d] && !nodes[d]!.isDir);
  if (blocking) throw dbfsAlreadyExists(blocking);
  for (const d of dirs) nodes[d] ??= { isDir: true, modificationTime: now };
}

/**
 * The checks shared by put, create and close: no directory at the path, and an existing file only
 * with `overwrite`. (Replacing a directory with a file is refused even with overwrite: unconfirmed.)
 */
export function assertWritable(nodes: DbfsNodes, path: string, rawPath: string, overwrite: boolean): void {
  const existing = nodes[path];
  if (existing && (existing.isDir || !overwrite)) throw dbfsAlreadyExists(rawPath);
  const blocking = ancestorsOf(path).find((d) => nodes[d] && !nodes[d]!.isDir);
  if (blocking) throw dbfsAlreadyExists(blocking);
}

export function writeFile(nodes: DbfsNodes, path: string, contentB64: string, now: number): void {
  ensureDirectories(nodes, ancestorsOf(path), now);
  nodes[path] = { isDir: false, modificationTime: now, contentB64 };
}

export const fileSize = (node: DbfsNode) => (node.isDir ? 0 : Buffer.byteLength(node.contentB64 ?? "", "base64"));

export const fileInfo = (path: string, node: DbfsNode) => ({
  path,
  is_dir: node.isDir,
  file_size: fileSize(node),
  modification_time: node.modificationTime,
});

/** Re-keys a file or a whole directory tree from `from` to `to`. */
export function moveTree(nodes: DbfsNodes, from: string, to: string): void {
  for (const path of subtreeOf(nodes, from)) {
    nodes[to + path.slice(from.length)] = nodes[path]!;
    delete nodes[path];
  }
}

/** Strict base64 (the real API rejects what it cannot decode rather than guessing). */
export function decodeBase64(field: string, value: string): Buffer {
  const compact = value.replace(/\s+/g, "");
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw invalidParameter(`Field '${field}' is not valid base64.`);
  }
  return Buffer.from(compact, "base64");
}
