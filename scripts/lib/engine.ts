import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { REPO_ROOT } from "./repo-root";

export interface EngineStackOptions {
  /** Compiled program module (exports the program function), run inline in this process. */
  programModule: string;
  projectName: string;
  stackName: string;
  /** Folder of the engine's home and work folder, and of the file backend by default; created if missing. */
  stateDir: string;
  /**
   * Where the state lives: a team backend (`postgres://…`, `s3://bucket?endpoint=…`) or
   * `file://…`; by default a file backend in `stateDir/backend`.
   */
  backendUrl?: string;
  /** Stack config: plain values, and secrets set with `--secret`. */
  config?: Record<string, string>;
  secretConfig?: Record<string, string>;
  /** Extra environment for the engine and the provider process. */
  env?: Record<string, string>;
}

/**
 * Opens (or creates) a stack whose program is a compiled module of this repo, on a local file
 * backend or the team backend given, run by the engine that `scripts/bootstrap.sh` prepared (`PDI_PULUMI_ROOT`). The
 * program runs inline, so no language-host binary is needed; the dynamic provider process runs
 * in `workDir`, which links this repo's `node_modules` so it can load the package.
 */
export async function openStack(options: EngineStackOptions): Promise<Stack> {
  const pulumiRoot = process.env.PDI_PULUMI_ROOT;
  if (!pulumiRoot) throw new Error("PDI_PULUMI_ROOT is not set: run through scripts/bootstrap.sh (see README)");
  const pulumiCommand = await PulumiCommand.get({ root: pulumiRoot, skipVersionCheck: false });

  const workDir = path.join(options.stateDir, "work", options.projectName);
  const backendDir = path.join(options.stateDir, "backend");
  const homeDir = path.join(options.stateDir, "pulumi-home");
  const backendUrl = options.backendUrl ?? `file://${backendDir}`;
  for (const dir of [workDir, homeDir, ...(backendUrl.startsWith("file://") ? [backendDir] : [])]) fs.mkdirSync(dir, { recursive: true });
  const link = path.join(workDir, "node_modules");
  if (!fs.existsSync(link)) fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), link, "dir");

  const program = loadProgram(options.programModule);
  const stack = await LocalWorkspace.createOrSelectStack(
    { projectName: options.projectName, stackName: options.stackName, program },
    {
      workDir,
      pulumiCommand,
      // `main` lets the CLI itself (`pulumi preview --json`, as CI runs it) run the same program
      // through the language host; the Automation API's own operations run it inline.
      projectSettings: {
        name: options.projectName,
        runtime: "nodejs",
        main: path.relative(workDir, options.programModule),
        backend: { url: backendUrl },
      },
      envVars: {
        PULUMI_BACKEND_URL: backendUrl,
        PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "sandbox-passphrase",
        PULUMI_HOME: homeDir,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        // Node 24 warns that SQLite is experimental whenever a dependency loads it; noise here.
        NODE_OPTIONS: [process.env.NODE_OPTIONS, "--disable-warning=ExperimentalWarning"].filter(Boolean).join(" "),
        PATH: `${path.join(pulumiRoot, "bin")}${path.delimiter}${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`,
        ...options.env,
      },
    },
  );
  const config: Record<string, { value: string; secret?: boolean }> = {};
  for (const [k, v] of Object.entries(options.config ?? {})) config[k] = { value: v };
  for (const [k, v] of Object.entries(options.secretConfig ?? {})) config[k] = { value: v, secret: true };
  if (Object.keys(config).length) await stack.setAllConfig(config);
  return stack;
}

/** The CLI behind a stack's workspace; `run` is public at run time but not in the SDK's type declarations. */
function cliOf(stack: Stack) {
  const ws = stack.workspace as LocalWorkspace;
  const cli = ws.pulumiCommand as unknown as {
    run(args: string[], cwd: string, env: Record<string, string>, onOutput?: (s: string) => void): Promise<{ stdout: string }>;
  };
  return (args: string[], onOutput?: (s: string) => void) => cli.run([...args, "--stack", stack.name], ws.workDir, ws.envVars, onOutput);
}

/**
 * `pulumi preview --json [--refresh]` as a CI job runs it: the CLI itself runs the program
 * through the language host (the stack's `main`), and secrets stay masked.
 */
export async function previewJson(stack: Stack, options: { refresh?: boolean; expectNoChanges?: boolean } = {}): Promise<{ json: unknown; exitCode: number }> {
  const args = ["preview", "--json", ...(options.refresh ? ["--refresh"] : []), ...(options.expectNoChanges ? ["--expect-no-changes"] : [])];
  let stdout = "";
  try {
    await cliOf(stack)(args, (s) => (stdout += s));
    return { json: JSON.parse(stdout), exitCode: 0 };
  } catch (err) {
    // --expect-no-changes fails the command on changes, but the JSON document is still printed.
    if (!stdout.trim().startsWith("{")) throw err;
    const execError = (err as { commandResult?: { err?: { exitCode?: number } } }).commandResult?.err;
    return { json: JSON.parse(stdout), exitCode: execError?.exitCode ?? 1 };
  }
}

/** Any `pulumi` command on the stack (recovery steps such as `refresh --clear-pending-creates`); never throws. */
export async function runCli(stack: Stack, args: string[]): Promise<{ exitCode: number; output: string }> {
  let output = "";
  try {
    await cliOf(stack)(args, (s) => (output += s));
    return { exitCode: 0, output };
  } catch (err) {
    const result = (err as { commandResult?: { stdout?: string; stderr?: string; err?: { exitCode?: number } } }).commandResult;
    return { exitCode: result?.err?.exitCode ?? 1, output: `${output}${result?.stderr ?? ""}` };
  }
}

/** `pulumi stack export` as a person runs it (the Automation API's exportStack adds --show-secrets). */
export async function exportStackMasked(stack: Stack): Promise<unknown> {
  return JSON.parse((await cliOf(stack)(["stack", "export"])).stdout);
}

function loadProgram(modulePath: string): () => Promise<Record<string, unknown> | void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(modulePath);
  const program = typeof mod === "function" ? mod : typeof mod.default === "function" ? mod.default : mod.program;
  if (typeof program !== "function") throw new Error(`${modulePath} exports no program function`);
  return program;
}

/** A fresh temp folder for a stack's state. */
export const tempStateDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
