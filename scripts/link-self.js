// Lets programs inside this repo (examples, tests, the main job) `require("pulumi-databricks-integrations")`
// the way users do, and lets the dynamic provider process load the package from a program's
// node_modules: links node_modules/pulumi-databricks-integrations to the repo root. Run by `npm`'s
// `prepare` (local installs only, never when the package is installed as a dependency).
const fs = require("fs");
const path = require("path");
const link = path.join(__dirname, "..", "node_modules", "pulumi-databricks-integrations");
try {
  if (fs.readlinkSync(link) === "..") process.exit(0);
  fs.unlinkSync(link);
} catch {
  /* missing: create it */
}
fs.mkdirSync(path.dirname(link), { recursive: true });
fs.symlinkSync("..", link, "dir");
