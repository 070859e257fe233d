import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { driftReport, type PreviewJson } from "../../provider/gitops/drift-report";

/**
 * The drift report on hand-made previews shaped like the engine's (`pulumi preview --refresh
 * --json`): the end-to-end test (test/e2e/main-platform) runs it on real engine output.
 */
const CLUSTER = "urn:pulumi:prod::platform::pulumi-nodejs:dynamic/databricks-integrations:HopsworksConfiguredCluster::training";
const DATASTORE = "urn:pulumi:prod::platform::pulumi-nodejs:dynamic/databricks-integrations:QualyticsDatabricksDatastore::sales";
const TOKEN = "urn:pulumi:prod::platform::pulumi-nodejs:dynamic/databricks-integrations:DatabricksAccessToken::qualytics";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

const preview: PreviewJson = {
  steps: [
    { op: "refresh", urn: TOKEN },
    { op: "create", urn: TOKEN, newState: { type: "pulumi-nodejs:dynamic/databricks-integrations:DatabricksAccessToken", inputs: { comment: "q" } } },
    {
      op: "update",
      urn: CLUSTER,
      oldState: {
        outputs: {
          drift: ['spark_conf spark.hadoop.hops.ssl.hostname.verifier is "STRICT", expected "ALLOW_ALL"', "library hsfs~=4.2.0 was uninstalled"],
          clusterId: "c1",
        },
      },
      newState: { inputs: { clusterId: "c1", __provider: "exports.handler = ..." } },
    },
    {
      op: "update",
      urn: DATASTORE,
      // What --show-secrets would print: plaintext secrets and ciphertext objects.
      oldState: {
        outputs: {
          name: "sales",
          description: "typed in the console",
          personalAccessToken: "sandbox-pat-live-value",
          qualyticsToken: { [SECRET_SIG]: "x", ciphertext: "v1:abc" },
        },
      },
      newState: { inputs: { name: "sales", personalAccessToken: "sandbox-pat-program-value", qualyticsToken: "plain-qualytics-token" } },
    },
    { op: "same", urn: "urn:pulumi:prod::platform::pulumi:pulumi:Stack::platform-prod" },
  ],
};

describe("drift report", () => {
  const report = driftReport(preview);

  test("one line per drifted resource and property, the kind and the live and declared values", () => {
    expect(report.lines.map((l) => [l.resource, l.kind, l.property])).toEqual([
      ["qualytics", "deleted", "(resource)"],
      ["training", "changed", "spark_conf.spark.hadoop.hops.ssl.hostname.verifier"],
      ["training", "changed", "libraries"],
      ["sales", "changed", "personalAccessToken"],
      ["sales", "changed", "qualyticsToken"],
      ["sales", "changed", "description"],
    ]);
    expect(report.markdown).toContain("- `sales` (QualyticsDatabricksDatastore) · changed · `description`: live `typed in the console`, program none");
    expect(report.drifted).toBe(true);
  });

  test("secrets are masked even when the preview was printed with --show-secrets", () => {
    for (const secret of ["sandbox-pat-live-value", "sandbox-pat-program-value", "plain-qualytics-token", "v1:abc"]) {
      expect(report.markdown).not.toContain(secret);
    }
    expect(report.markdown).toContain("`personalAccessToken`: live [secret], program [secret]");
  });

  test("no changes: no lines and a clear sentence", () => {
    const clean = driftReport({
      steps: [
        { op: "refresh", urn: CLUSTER },
        { op: "same", urn: CLUSTER },
      ],
    });
    expect(clean).toMatchObject({ drifted: false, lines: [] });
    expect(clean.markdown).toContain("No drift");
  });
});

describe("pulumi-drift-report command", () => {
  const cli = path.resolve(__dirname, "../../dist/provider/gitops/drift-report-cli.js");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdi-drift-"));
  const file = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const run = (args: string[], input?: string) =>
    spawnSync(process.execPath, [cli, ...args], { input, encoding: "utf8", env: { ...process.env, GITHUB_STEP_SUMMARY: "" } });

  test("exit 2 on drift, 0 without, from a file or stdin", () => {
    expect(run([file("drift.json", JSON.stringify(preview))]).status).toBe(2);
    expect(run([], JSON.stringify({ steps: [], changeSummary: { same: 3 } }))).toMatchObject({ status: 0, stdout: expect.stringContaining("No drift") });
  });

  test("exit 1 with the reason on input that is not a preview", () => {
    expect(run([file("bad.json", "not json at all")])).toMatchObject({ status: 1, stderr: expect.stringContaining("no JSON object") });
    expect(run([file("other.json", '{"hello": 1}')])).toMatchObject({ status: 1, stderr: expect.stringContaining("not `pulumi preview --json` output") });
    expect(run(["--bogus"])).toMatchObject({ status: 1, stderr: expect.stringContaining("unknown option --bogus") });
  });

  test("writes the report to the GitHub job summary when asked", () => {
    const summary = path.join(dir, "summary.md");
    const r = spawnSync(process.execPath, [cli, "--title", "Nightly", file("d.json", JSON.stringify(preview))], {
      encoding: "utf8",
      env: { ...process.env, GITHUB_STEP_SUMMARY: summary },
    });
    expect(r.status).toBe(2);
    expect(fs.readFileSync(summary, "utf8")).toContain("### Nightly");
  });
});
