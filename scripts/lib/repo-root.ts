import * as fs from "fs";
import * as path from "path";

/**
 * The repo root, whether this runs compiled (dist/scripts/lib) or from source (scripts/lib,
 * under jest): the nearest folder above that holds this package's package.json.
 */
export const REPO_ROOT = (() => {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string }).name === "pulumi-databricks-integrations") return dir;
  }
  throw new Error(`cannot find the repo root above ${__dirname}`);
})();
