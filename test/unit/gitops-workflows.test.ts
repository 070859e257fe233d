import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

/** The example workflows are copied as they are: they must parse and name things that exist. */
const ROOT = path.resolve(__dirname, "../..");
const load = (name: string) => yaml.load(fs.readFileSync(path.join(ROOT, "examples/gitops/workflows", name), "utf8")) as any;
const stepsOf = (workflow: any) => Object.values(workflow.jobs).flatMap((job: any) => job.steps) as any[];
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

describe("examples/gitops workflows", () => {
  test("review: previews pull requests with refresh and the policy pack, and comments the diff", () => {
    const review = load("pulumi-review.yml");
    expect(Object.keys(review.on)).toEqual(["pull_request"]);
    const preview = stepsOf(review).find((s) => String(s.uses).startsWith("pulumi/actions@"));
    expect(preview.with).toMatchObject({ command: "preview", refresh: true, "comment-on-pr": true, policyPacks: "examples/gitops/policy" });
    expect(fs.existsSync(path.join(ROOT, preview.with.policyPacks, "PulumiPolicy.yaml"))).toBe(true);
    expect(review.permissions["pull-requests"]).toBe("write");
    expect(review.env).toHaveProperty("HOPSWORKS_API_KEY");
  });

  test("drift: a schedule runs preview --refresh --expect-no-changes --json into the drift report", () => {
    const drift = load("pulumi-drift.yml");
    expect(drift.on.schedule[0].cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    const runs = stepsOf(drift)
      .map((s) => String(s.run ?? ""))
      .join("\n");
    expect(runs).toMatch(/pulumi preview --stack "\$PULUMI_STACK" --refresh --expect-no-changes --json > preview\.json/);
    const bin = /npx (\S+) .*preview\.json/.exec(runs)?.[1];
    expect(bin).toBeDefined();
    expect(pkg.bin).toHaveProperty([bin!]);
    const source = String(pkg.bin[bin!])
      .replace(/^dist\//, "")
      .replace(/\.js$/, ".ts");
    expect(fs.existsSync(path.join(ROOT, source))).toBe(true);
  });

  test("secrets come from the CI secret store, never inline", () => {
    for (const name of ["pulumi-review.yml", "pulumi-drift.yml"]) {
      for (const [key, value] of Object.entries(load(name).env as Record<string, string>)) {
        if (/TOKEN|PASSWORD|PASSPHRASE|KEY/.test(key)) expect({ key, value }).toEqual({ key, value: `\${{ secrets.${key} }}` });
      }
    }
  });
});
