/** Path arithmetic shared by the sandboxes' file trees (DBFS, workspace files). */
export const ROOT = "/";

export const parentOf = (path: string) => (path === ROOT ? ROOT : path.slice(0, path.lastIndexOf("/")) || ROOT);

/** Strict ancestors, outermost first, excluding the root. */
export function ancestorsOf(path: string): string[] {
  const parts = path.split("/").filter(Boolean);
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join("/")}`);
}

/** True when `path` lies strictly below `dir`. */
export const isUnder = (path: string, dir: string) => (dir === ROOT ? path !== ROOT : path.startsWith(`${dir}/`));
