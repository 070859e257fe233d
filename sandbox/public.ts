/**
 * `pulumi-databricks-integrations/sandbox`: the local stand-ins of Databricks, Hopsworks and
 * Qualytics, for users' own tests (as LocalStack serves AWS users). The services run on fastify,
 * an optional peer dependency of the package: it is looked for before anything loads it, so a
 * missing one is named as such instead of surfacing as a require error from deep inside.
 */
import { defaultConfigFile } from "./cli/home";
import type * as api from "./index";

export type { Sandbox, SandboxConfig, StartSandboxOptions } from "./index";

const FASTIFY_MISSING =
  "install fastify to use pulumi-databricks-integrations/sandbox (npm install --save-dev fastify): it is an optional peer dependency, needed by the sandbox only";

function assertFastifyInstalled(): void {
  try {
    require.resolve("fastify");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw err;
    throw new Error(FASTIFY_MISSING, { cause: err });
  }
}

assertFastifyInstalled();
// Loaded only now, after the check: every service module imports fastify.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sandbox = require("./index") as typeof api;

/**
 * Starts every service on local ports (Databricks workspaces, Qualytics and Hopsworks
 * instances) and answers with `endpoints`, the value of the `databricks-integrations:endpoints`
 * setting that points the package's resources at them. `close()` stops them all.
 */
export const startSandbox: typeof api.startSandbox = sandbox.startSandbox;

/**
 * The seed the package ships (`sandbox/seed.json`): `startSandbox({ configFile: seedFile })`
 * starts the services with the workspaces, users, tokens, clusters and instances the README lists.
 */
export const seedFile: string = defaultConfigFile();
