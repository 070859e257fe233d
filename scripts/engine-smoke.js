#!/usr/bin/env node
// Engine smoke test: proves that the Pulumi engine prepared by scripts/bootstrap.sh can deploy
// and destroy a dynamic resource with a local file backend, driven by the Automation API.
//
// Usage (after `source scripts/bootstrap.sh`):  node scripts/engine-smoke.js [--local-program]
//   default          inline program (the program runs in this process; no language host needed)
//   --local-program  additionally deploy a program from a directory (needs pulumi-language-nodejs)
// Env: PDI_PULUMI_ROOT (dir whose bin/ holds pulumi and plugins; defaults to pulumi on PATH),
//      PDI_SMOKE_KEEP=1 keeps the temp dir for inspection,
//      PDI_SMOKE_DEBUG=1 passes --logtostderr -v=9 to the engine (very verbose).
// Exit code 0 on success, 1 on failure.
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");

const repo = path.resolve(__dirname, "..");
const pulumi = require(path.join(repo, "node_modules/@pulumi/pulumi"));
const { LocalWorkspace, PulumiCommand } = require(path.join(repo, "node_modules/@pulumi/pulumi/automation"));

const log = (msg) => process.stderr.write(`[engine-smoke] ${msg}\n`);
const secs = (t0) => ((Date.now() - t0) / 1000).toFixed(1) + "s";

// One module-level provider object. It is serialized into the state by closure capture and run
// by the pulumi-resource-pulumi-nodejs plugin, in a separate node process whose cwd is workDir.
const smokeProvider = {
  async create(inputs) {
    return { id: "x", outs: { message: inputs.message, created: true, node: process.version } };
  },
  async update(id, olds, news) {
    return { outs: { message: news.message, created: true, node: process.version } };
  },
  async delete() {},
};

async function inlineProgram() {
  const res = new pulumi.dynamic.Resource(smokeProvider, "smoke", { message: "hello", created: undefined, node: undefined }, {});
  return { message: res.message, created: res.created, providerNode: res.node, programNode: process.version };
}

// Creates <tmp>/<name> holding a node_modules symlink to the repo's node_modules: the dynamic
// provider plugin resolves @pulumi/pulumi (and every module the provider captured) from its cwd.
function makeWorkDir(tmp, name) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

async function deployAndDestroy(label, stack, extraOpts) {
  const onOutput = (s) => process.stderr.write(s.replace(/^(?=.)/gm, `    [${label}] `));
  const onError = (s) => process.stderr.write(s.replace(/^(?=.)/gm, `    [${label} stderr] `));
  let t = Date.now();
  const up = await stack.up({ onOutput, onError, ...extraOpts });
  log(`${label}: up ${up.summary.result} in ${secs(t)}`);
  if (up.summary.result !== "succeeded") throw new Error(`${label}: up result ${up.summary.result}`);
  const created = up.outputs.created && up.outputs.created.value;
  const message = up.outputs.message && up.outputs.message.value;
  if (created !== true || message !== "hello") {
    throw new Error(`${label}: unexpected outputs ${JSON.stringify(up.outputs)}`);
  }
  const out = (k) => (up.outputs[k] ? up.outputs[k].value : undefined);
  for (const k of ["providerNode", "programNode"]) {
    const m = /^v(\d+)\./.exec(String(out(k)));
    if (!m || Number(m[1]) < 22) throw new Error(`${label}: ${k} is ${out(k)}, expected node >= 22`);
  }
  const changes = up.summary.resourceChanges || {};
  log(
    `${label}: outputs ok (created=${created}, message=${message}, node: provider ${out("providerNode")}, ` +
      `program ${out("programNode")}), changes ${JSON.stringify(changes)}`,
  );

  t = Date.now();
  const state = await stack.exportStack();
  const dyn = (state.deployment.resources || []).find((r) => r.type === "pulumi-nodejs:dynamic:Resource");
  if (!dyn || !dyn.outputs || typeof dyn.outputs.__provider !== "string") {
    throw new Error(`${label}: dynamic resource or its __provider missing from exported state`);
  }
  log(`${label}: exported state has the dynamic resource (id=${dyn.id}) in ${secs(t)}`);

  t = Date.now();
  const down = await stack.destroy({ onOutput, onError, ...extraOpts });
  log(`${label}: destroy ${down.summary.result} in ${secs(t)}`);
  if (down.summary.result !== "succeeded") throw new Error(`${label}: destroy result ${down.summary.result}`);
  await stack.workspace.removeStack(stack.name);
}

async function main() {
  const t0 = Date.now();
  const localProgram = process.argv.includes("--local-program");
  const root = process.env.PDI_PULUMI_ROOT;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pdi-smoke-"));
  const stateDir = path.join(tmp, "state");
  fs.mkdirSync(stateDir);
  log(`node ${process.version}, PDI_PULUMI_ROOT=${root || "(unset: pulumi from PATH)"}, tmp=${tmp}`);

  const pulumiCommand = await PulumiCommand.get({ root, skipVersionCheck: false });
  log(`pulumi ${pulumiCommand.version} at ${pulumiCommand.command}`);
  const envVars = {
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: "smoke",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
  if (process.env.PDI_SMOKE_DEBUG === "1") {
    envVars.PULUMI_DEBUG_COMMANDS = "true";
  }
  const debugOpts = process.env.PDI_SMOKE_DEBUG === "1" ? { logToStdErr: true, logVerbosity: 9, logFlow: true } : {};

  let ok = false;
  try {
    // 1. Inline program: the CLI is started with --client=<addr> and calls back into this process.
    let t = Date.now();
    const workDir = makeWorkDir(tmp, "inline");
    // projectSettings without `main`: the default one LocalWorkspace makes for inline programs
    // has main = process.cwd(), and the engine starts plugins (the dynamic provider) in the
    // program directory, i.e. wherever the caller happened to be, not in workDir.
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "smoke", projectName: "pdi-smoke", program: inlineProgram },
      { workDir, pulumiCommand, envVars, projectSettings: { name: "pdi-smoke", runtime: "nodejs" } },
    );
    log(`inline: stack ready in ${secs(t)}`);
    await deployAndDestroy("inline", stack, debugOpts);

    // 2. Program from a directory: needs the pulumi-language-nodejs host (plugin lookup via PATH
    //    or beside the pulumi binary).
    if (localProgram) {
      t = Date.now();
      const dir = makeWorkDir(tmp, "local");
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: pdi-smoke-local\nruntime: nodejs\nmain: index.js\n");
      fs.writeFileSync(
        path.join(dir, "index.js"),
        [
          '"use strict";',
          'const pulumi = require("@pulumi/pulumi");',
          "const provider = {",
          '    async create(inputs) { return { id: "x", outs: { message: inputs.message, created: true, node: process.version } }; },',
          "    async delete() {},",
          "};",
          'const res = new pulumi.dynamic.Resource(provider, "smoke", { message: "hello", created: undefined, node: undefined }, {});',
          "exports.message = res.message;",
          "exports.created = res.created;",
          "exports.providerNode = res.node;",
          "exports.programNode = process.version;",
          "",
        ].join("\n"),
      );
      const local = await LocalWorkspace.createOrSelectStack({ stackName: "smoke", workDir: dir }, { pulumiCommand, envVars });
      log(`local-program: stack ready in ${secs(t)}`);
      await deployAndDestroy("local-program", local, debugOpts);
    }
    ok = true;
  } catch (e) {
    log(`FAILED: ${e && e.stack ? e.stack : e}`);
    if (e && e.stderr) log(`stderr:\n${e.stderr}`);
  } finally {
    if (process.env.PDI_SMOKE_KEEP === "1") {
      log(`kept ${tmp}`);
    } else {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  log(`${ok ? "OK" : "FAILED"} in ${secs(t0)}`);
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    log(`FAILED: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  },
);
