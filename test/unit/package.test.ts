import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";

/**
 * What `npm pack` ships (from dist/, which the test command builds first) and how a user's
 * project resolves it: the packed files copied into a consumer's node_modules as npm installs
 * them, the dependencies a case needs linked from this repo's node_modules, fastify only where
 * the case installs it.
 */
const REPO_ROOT = path.resolve(__dirname, "..", "..");
const PACKAGE = "pulumi-databricks-integrations";
const SEEDED_HOST = "dbc-7f3e2a1b-9c4d.cloud.databricks.com";
const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
  main: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
};

function packedFiles(): string[] {
  const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO_ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`npm pack --dry-run failed (${r.status}):\n${r.stderr}`);
  return (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path).sort();
}

/** A file of the package as installed in a project's node_modules. */
const installed = (project: string, file: string) => path.join(project, "node_modules", PACKAGE, file);

const consumers: string[] = [];
/** A project folder whose node_modules holds the packed files and links to the dependencies named. */
function consumerWith(files: string[], dependencies: string[]): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "pdi-consumer-")));
  consumers.push(dir);
  for (const file of files) {
    fs.mkdirSync(path.dirname(installed(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, file), installed(dir, file));
  }
  for (const dependency of dependencies) fs.symlinkSync(path.join(REPO_ROOT, "node_modules", dependency), path.join(dir, "node_modules", dependency), "dir");
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  return dir;
}

/** Runs a script in a plain Node process in `dir`, as the user's own code would run there. */
function nodeIn(dir: string, script: string) {
  const env = { ...process.env };
  delete env.NODE_PATH;
  return spawnSync(process.execPath, ["-e", script], { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
}

const targetsOf = (entry: string | Record<string, string>) => (typeof entry === "string" ? [entry] : Object.values(entry));

describe("the published package", () => {
  let files: string[];
  /** A project that installed the package and fastify. */
  let consumer: string;
  beforeAll(() => {
    files = packedFiles();
    consumer = consumerWith(files, ["zod", "fastify"]);
  });
  afterAll(() => {
    for (const dir of consumers) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("ships the provider, the sandbox and its seed, the README and package.json; nothing else", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "package.json",
        "README.md",
        "sandbox/seed.json",
        "dist/provider/index.js",
        "dist/sandbox/public.js",
        "dist/sandbox/public.d.ts",
      ]),
    );
    // No tests, scripts, examples, bench, .venv or other compiled trees.
    expect(files.filter((f) => !/^(package\.json|README\.md|LICENSE|sandbox\/seed\.json|dist\/(provider|sandbox)\/.+)$/.test(f))).toEqual([]);
    const declared = [manifest.main, manifest.types, ...Object.values(manifest.bin), ...Object.values(manifest.exports).flatMap(targetsOf)]
      .filter((target) => !target.includes("*"))
      .map((target) => path.normalize(target));
    expect(declared.filter((target) => !files.includes(target))).toEqual([]);
  });

  test("every provider module resolves by the deep path state holds (`…/dist/provider/<file>`), with or without .js", () => {
    const modules = files.filter((f) => f.startsWith("dist/provider/") && f.endsWith(".js")).map((f) => f.slice(0, -".js".length));
    const specifiers = modules.flatMap((m) => [`${PACKAGE}/${m}`, `${PACKAGE}/${m}.js`]);
    const r = nodeIn(consumer, `console.log(JSON.stringify(${JSON.stringify(specifiers)}.map((s) => require.resolve(s))))`);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual(modules.flatMap((m) => [installed(consumer, `${m}.js`), installed(consumer, `${m}.js`)]));
    expect(nodeIn(consumer, `console.log(require.resolve("${PACKAGE}"), require.resolve("${PACKAGE}/package.json"))`).stdout.trim().split(" ")).toEqual([
      installed(consumer, "dist/provider/index.js"),
      installed(consumer, "package.json"),
    ]);
  });

  test("the sandbox entry without fastify installed says to install it", () => {
    const withoutFastify = consumerWith(files, ["zod"]);
    expect(() => require.resolve("fastify", { paths: [withoutFastify] })).toThrow(); // nothing above the folder provides one
    const r = nodeIn(withoutFastify, `require("${PACKAGE}/sandbox")`);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("install fastify to use pulumi-databricks-integrations/sandbox");
  });

  test("the sandbox entry with fastify starts the services on the shipped seed and stops them", () => {
    const r = nodeIn(
      consumer,
      `const { seedFile, startSandbox } = require("${PACKAGE}/sandbox");
       startSandbox({ configFile: seedFile }).then(async (sandbox) => {
         const res = await fetch(sandbox.endpoints["${SEEDED_HOST}"] + "/api/2.0/preview/scim/v2/Me");
         console.log(JSON.stringify({ seedFile, hosts: Object.keys(sandbox.endpoints), status: res.status }));
         await sandbox.close();
       });`,
    );
    expect(r.stderr).toBe("");
    const started = JSON.parse(r.stdout) as { seedFile: string; hosts: string[]; status: number };
    expect(started.seedFile).toBe(installed(consumer, "sandbox/seed.json"));
    expect(started.hosts).toContain(SEEDED_HOST);
    expect(started.status).toBe(401); // a Databricks workspace answering: no token, no access
  });

  test("TypeScript finds both entries' types: node10 (typesVersions), node16 (exports) and bundler", () => {
    const importer = path.join(consumer, "index.ts");
    const settings: [string, ts.CompilerOptions, ts.ResolutionMode][] = [
      ["node10", { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 }, undefined],
      ["node16 require", { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }, ts.ModuleKind.CommonJS],
      ["node16 import", { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }, ts.ModuleKind.ESNext],
      ["bundler", { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }, undefined],
    ];
    for (const [name, options, mode] of settings) {
      const resolve = (specifier: string) =>
        ts.resolveModuleName(specifier, importer, options, ts.sys, undefined, undefined, mode).resolvedModule?.resolvedFileName;
      expect([name, resolve(PACKAGE), resolve(`${PACKAGE}/sandbox`)]).toEqual([
        name,
        installed(consumer, "dist/provider/index.d.ts"),
        installed(consumer, "dist/sandbox/public.d.ts"),
      ]);
    }
  });
});
