import { spawn } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { compiledProgram, stackOp } from "../helpers/engine";
import { SecretAudit, sandboxSecrets } from "../helpers/secret-audit";
import { MAIN_PROJECT, MAIN_STACK, readSeed, sandboxStackConfig, seededClusterIds } from "../../scripts/lib/platform-config";

jest.setTimeout(900_000);

/**
 * The main job as a person runs it, on the real engine: `main.js deploy` twice (the second run
 * deploys nothing), then out-of-band changes made with the sandbox command line, each seen by
 * `main.js drift` with the right resource and property, and repaired by the next deploy.
 * (`scripts/main.sh` is these commands after bootstrap and build.)
 */
const REPO_ROOT = path.resolve(__dirname, "..", "..");
const SEED = readSeed(REPO_ROOT);
const [FEATURES_CLUSTER, TRAINING_CLUSTER] = seededClusterIds(SEED);
const SECRETS = [
  ...SEED.databricks.workspaces.flatMap((w) => w.users.flatMap((u) => u.tokens.map((t) => t.value))),
  ...SEED.hopsworks.instances.flatMap((i) => i.users.map((u) => u.password)),
  ...SEED.qualytics.instances.flatMap((i) => i.users.flatMap((u) => u.tokens.map((t) => t.value))),
];

/** Every secret of the seed and every one the sandbox issued, searched for in everything the main job printed or stored. */
const audit = new SecretAudit();
audit.addSecrets(...SECRETS);

interface Run {
  code: number | null;
  out: string;
}
function node(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", path.join(REPO_ROOT, "dist", "scripts", script), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

/** The main job's sandbox home; its daemon runs until the secret audit at the end has read it. */
const home = fs.mkdtempSync(path.join(os.tmpdir(), "pdi-e2e-main-"));
const providerLog = path.join(home, "provider.log");
audit.trackPath("provider log", providerLog);
audit.trackPath("stack state dir", path.join(home, "pulumi"));
audit.trackPath("sandbox daemon log", path.join(home, "sandbox.log"));
afterAll(async () => {
  await node("sandbox-cli.js", ["stop", "--home", home], {});
});

describe("the main job: deploy, deploy again, drift made with the sandbox command line, repair", () => {
  const env = { PDI_SANDBOX_HOME: home, PULUMI_DATABRICKS_INTEGRATIONS_POLL_MS: "100", PULUMI_DATABRICKS_INTEGRATIONS_LOG: providerLog };
  let runs = 0;
  const main = async (command: string, expectCode = 0) => {
    const run = await node("main.js", [command], env);
    audit.trackText(`main.js ${command} (run ${++runs}) output`, run.out);
    if (run.code !== expectCode) throw new Error(`main.js ${command} exited ${run.code}, expected ${expectCode}:\n${run.out}`);
    return run.out;
  };
  const sandbox = async (...args: string[]) => {
    const run = await node("sandbox-cli.js", [...args, "--home", home], {});
    audit.trackText(`sandbox-cli ${args.join(" ")} output`, run.out);
    if (run.code !== 0) throw new Error(`sandbox-cli ${args.join(" ")} exited ${run.code}:\n${run.out}`);
    return run.out;
  };
  /** The report's bullet lines: "- `resource` (Type) · kind · `property`: detail". */
  const driftLines = (out: string) => out.split("\n").filter((l) => l.startsWith("- `"));
  /**
   * What reviewers read: the review workflow's `pulumi preview --refresh --diff` (the PR comment)
   * on the main stack, split into one block of diff text per resource name.
   */
  const engineDiff = async (): Promise<Map<string, string>> => {
    const r = await stackOp({
      op: "cli",
      args: ["preview", "--refresh", "--diff", "--non-interactive"],
      programModule: compiledProgram("examples/main/index.ts"),
      projectName: MAIN_PROJECT,
      stackName: MAIN_STACK,
      stateDir: path.join(home, "pulumi"),
      env,
    });
    audit.track(r);
    const blocks = new Map<string, string>();
    let current = "";
    for (const line of r.output.split("\n")) {
      const urn = /\[urn=urn:pulumi:[^\]]*::([^:\]]+)\]/.exec(line);
      if (urn) current = urn[1]!;
      if (current) blocks.set(current, `${blocks.get(current) ?? ""}${line}\n`);
    }
    return blocks;
  };
  /** How the engine's diff names a drift report's property: an input by its key, a cluster's drift by the Spark key, tag or library in its `drift` output. */
  const engineNames = (property: string) =>
    property
      .replace(/^(spark_conf|custom_tags)\./, "")
      .replace(/^libraries$/, "library ")
      .replace(/^\(resource\)$/, "");
  const expectDrift = async (expected: [resource: string, kind: string, property: string][]) => {
    const out = await main("drift", 2);
    expect(out).toMatch(/pulumi preview exited [1-9]/); // --expect-no-changes fails, as in the nightly job
    const lines = driftLines(out);
    for (const [resource, kind, property] of expected) {
      expect(lines.some((l) => l.startsWith(`- \`${resource}\` (`) && l.includes(` · ${kind} · \`${property}\``))).toBe(true);
    }
    // The engine's own diff names the same resources and properties as the drift report.
    const diff = await engineDiff();
    for (const line of lines) {
      const [, resource, kind, property] = /^- `([^`]+)` \([^)]*\) · ([^·]+) · `([^`]+)`/.exec(line) ?? [];
      const block = diff.get(resource!) ?? "";
      expect({ line, named: block.includes(engineNames(property!)) || (kind!.trim() === "deleted" && /\+ .*create|\(create\)|\+\s/.test(block)) }).toEqual({
        line,
        named: true,
      });
    }
    return { lines, diff };
  };
  const expectRepaired = async () => {
    const out = await main("deploy");
    expect(out).toContain("-> no changes");
    expect(await main("drift", 0)).toContain("No drift");
  };

  /** The main stack exported as `pulumi stack export` does (secrets masked), for the secret audit. */
  const exportMainStack = async () => {
    const exported = await stackOp({
      op: "export",
      programModule: compiledProgram("examples/main/index.ts"),
      projectName: MAIN_PROJECT,
      stackName: MAIN_STACK,
      stateDir: path.join(home, "pulumi"),
    });
    audit.track(exported);
    expect({ ok: exported.ok, error: exported.error }).toEqual({ ok: true, error: undefined });
  };

  test("the first deploy makes the whole platform; the second preview has no changes", async () => {
    const out = await main("deploy");
    expect(out).toContain("this run: create 8");
    expect(out).toContain("-> no changes");
    // The seed's Hopsworks runs 4.2.1: the notebook cell is the 4.x client's.
    expect(out).toMatch(/hopsworks\.login\(/);
    expect(out).toContain('"sourceConnected": true');
    expect(out).toContain("bash scripts/sandbox.sh change remove-hopsworks-spark-keys");
    const list = await sandbox("list", "hopsworks");
    expect(list).toContain("dbc-7f3e2a1b-9c4d.cloud.databricks.com");
    // The daemon the main job started: its services tell the audit what they know.
    const record = JSON.parse(fs.readFileSync(path.join(home, "sandbox.json"), "utf8")) as { endpoints: Record<string, string> };
    for (const url of new Set(Object.values(record.endpoints))) audit.addSandbox(url);
    await exportMainStack();
  });

  test("run again, it deploys nothing new", async () => {
    const out = await main("deploy");
    expect(out).toContain("this run: same 8");
    expect(out).toContain("nothing new to deploy");
  });

  test("cluster keys removed, a Hopsworks jar uninstalled, a link removed, the registered key changed: each reported, then repaired", async () => {
    await sandbox("change", "remove-hopsworks-spark-keys", "--cluster", FEATURES_CLUSTER);
    // 4.2 writes no init script; the jars it installs are its, as much as the keys are.
    await sandbox("change", "uninstall-hopsworks-jar", "--cluster", TRAINING_CLUSTER);
    await sandbox("change", "unlink-enrichment", "--datastore", "databricks_sales");
    await sandbox("change", "change-registered-key");
    await expectDrift([
      ["feature-engineering", "changed", "spark_conf.spark.hadoop.fs.hopsfs.impl"],
      ["feature-engineering", "changed", "spark_conf.spark.hadoop.hops.ssl.keystore.name"],
      ["training", "changed", "libraries"],
      ["source", "changed", "enrichmentDatastoreId"],
      ["workspace", "changed", "apiKey"],
    ]);
    await expectRepaired();
  });

  test("a Spark key changed, hsfs uninstalled, a datastore edited: each reported, then repaired", async () => {
    await sandbox("change", "change-hopsworks-spark-key", "--cluster", FEATURES_CLUSTER);
    await sandbox("change", "uninstall-hsfs", "--cluster", TRAINING_CLUSTER);
    await sandbox("change", "edit-datastore", "--datastore", "databricks_enrichment");
    const { lines, diff } = await expectDrift([
      ["feature-engineering", "changed", "spark_conf.spark.hadoop.hops.ssl.hostname.verifier"],
      ["training", "changed", "libraries"],
    ]);
    expect(
      lines.some((l) => l.startsWith("- `enrichment` (QualyticsDatabricksEnrichmentDatastore) · changed · `description`: live `edited in the console")),
    ).toBe(true);
    // In the engine's diff: the input with its live value, which `up` removes (the program sets none).
    expect(diff.get("enrichment")).toMatch(/- description\s*: "edited in the console[^"]*"/);
    // Settings at Qualytics' defaults that the program does not declare are not listed.
    expect(diff.get("enrichment")).not.toMatch(/- enrichment(Prefix|SourceRecordLimit|RemediationStrategy)\b/);
    await expectRepaired();
  });

  test("a token revoked, a datastore deleted, the registration removed: each reported as deleted, then recreated", async () => {
    await sandbox("change", "revoke-token");
    await sandbox("change", "delete-datastore", "--datastore", "databricks_sales");
    await sandbox("change", "unregister-databricks");
    const { lines } = await expectDrift([
      ["source", "deleted", "(resource)"],
      ["workspace", "deleted", "(resource)"],
    ]);
    expect(lines.some((l) => / \(DatabricksAccessToken\) · deleted · /.test(l))).toBe(true);
    await expectRepaired();
    await exportMainStack();
  });

  test("destroy empties the stack", async () => {
    const out = await main("destroy");
    expect(out).toContain("The stack is empty");
  });
});

describe("examples/real-services/Pulumi.production.yaml", () => {
  const file = yaml.load(fs.readFileSync(path.join(REPO_ROOT, "examples/real-services/Pulumi.production.yaml"), "utf8")) as { config: Record<string, unknown> };
  const asConfig = Object.fromEntries(Object.entries(file.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));

  test("sets every key the main program reads, and the README documents each", () => {
    const source = fs.readFileSync(path.join(REPO_ROOT, "examples/main/index.ts"), "utf8");
    const platformKeys = [...source.matchAll(/platform\.(?:get|require|getNumber|getBoolean|requireObject)(?:<[^>]+>)?\("([^"]+)"/g)].map(
      (m) => `platform:${m[1]}`,
    );
    expect(platformKeys.length).toBeGreaterThan(5);
    const sandboxKeys = Object.keys(sandboxStackConfig(SEED, {}).config).filter((k) => !k.startsWith("databricks-integrations:"));
    const readme = fs.readFileSync(path.join(REPO_ROOT, "examples/real-services/README.md"), "utf8");
    for (const key of new Set([...platformKeys, ...sandboxKeys])) {
      expect({ key, inFile: key in asConfig }).toEqual({ key, inFile: true });
      expect({ key, inReadme: readme.includes(`\`${key}\``) || readme.includes(`\`${key.split(":")[0]}:`) }).toEqual({ key, inReadme: true });
    }
    for (const secret of ["databricks:token", "hopsworks:password", "qualytics:token"]) {
      expect(asConfig).not.toHaveProperty([secret]);
      expect(readme).toContain(`pulumi config set --secret ${secret}`);
    }
  });

  test("the main program previews with exactly those values (secrets and the endpoint override added)", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "pdi-e2e-real-"));
    const start = await node("sandbox-cli.js", ["start", "--home", home], {});
    expect(start.code).toBe(0);
    try {
      const record = JSON.parse(fs.readFileSync(path.join(home, "sandbox.json"), "utf8")) as { endpoints: Record<string, string> };
      const { secretConfig } = sandboxStackConfig(SEED, record.endpoints);
      const preview = await stackOp({
        op: "preview",
        programModule: compiledProgram("examples/main/index.ts"),
        projectName: "real-services-config",
        stackName: "production",
        stateDir: path.join(home, "pulumi"),
        config: { ...asConfig, "databricks-integrations:endpoints": JSON.stringify(record.endpoints) },
        secretConfig,
        // A preview of a new stack only checks inputs: the provider calls no service and logs nothing.
        env: { PULUMI_DATABRICKS_INTEGRATIONS_LOG: path.join(home, "provider.log") },
      });
      audit.track(preview);
      audit.trackPath("real-services stack state dir", path.join(home, "pulumi"));
      expect({ ok: preview.ok, error: preview.error }).toEqual({ ok: true, error: undefined });
      expect(preview.changeSummary).toEqual({ create: 8 });
      // This sandbox stops below: what it knows is read now.
      for (const url of new Set(Object.values(record.endpoints))) audit.addSecrets(...(await sandboxSecrets(url)));
    } finally {
      await node("sandbox-cli.js", ["stop", "--home", home], {});
    }
  });
});

test("secret audit: no seeded or issued secret in the main job's output, the sandbox command line's, the exported stacks, state or provider log", async () => {
  const summary = await audit.verify();
  expect(summary.secrets).toBeGreaterThanOrEqual(SECRETS.length);
  expect(summary.providers).toBeGreaterThan(0);
  expect(summary.missing).toEqual([]);
});
