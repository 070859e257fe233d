import * as fs from "fs";
import * as path from "path";
import { ALICE_TOKEN, AWS_HOST } from "../helpers/databricks-sandbox";
import {
  ATTACH_ONLY_CLUSTER,
  MANAGED_CLUSTER,
  OUTSIDER,
  OWNER,
  PROJECT,
  SCIENTIST,
  TERMINATED_CLUSTER,
  hopsworksStackConfig,
  startHopsworksTestSandbox,
  type HopsworksHarness,
} from "../helpers/hopsworks-sandbox";
import { QUALYTICS_ADMIN_TOKEN, QUALYTICS_HOST, WAREHOUSE_PATH, startQualyticsTestSandbox, type QualyticsHarness } from "../helpers/qualytics-sandbox";
import { EngineHarness } from "../helpers/engine-harness";
import { POLICY, hopsworksBaseUrl, liveMembers, membershipViolation } from "../../examples/gitops/policy/policies";
import type { StackOpRequest } from "../../scripts/lib/stack-op-process";

jest.setTimeout(300_000);

const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** The pack as CI passes it to an official CLI: `pulumi preview --policy-pack examples/gitops/policy`. */
const PACK_SOURCE = path.join(REPO_ROOT, "examples", "gitops", "policy");
const ANALYZER = "pulumi-analyzer-policy-pdi-nodejs";
/** The secret PAT the violating datastore gets: deliberately not shaped like a real one. */
const STACK_PAT = "sandbox-policy-e2e-pat-secret";

/**
 * The pack as the CLI built here can run it, or an error that says what is missing and how to get
 * it: this test never skips. That CLI (v3.276) starts a `runtime: nodejs` pack *folder* through the
 * nodejs language host's RunPlugin, which the v3.68.0 host bootstrap builds answers "not
 * supported"; an *executable* given to `--policy-pack` it starts directly, with the engine's address.
 * examples/gitops/policy/analyzer is that executable: it runs the pack in its own folder (the
 * compiled pack is its package.json `main`; node_modules resolve from the repo root) with the
 * analyzer wrapper scripts/bootstrap.sh puts beside the CLI.
 */
function preparePack(): string {
  const root = process.env.PDI_PULUMI_ROOT;
  if (!root) throw new Error("PDI_PULUMI_ROOT is not set: the Pulumi engine is required; run the tests with the README's test command (it builds the engine)");
  const wrapper = path.join(root, "bin", ANALYZER);
  const pack = path.join(PACK_SOURCE, "analyzer");
  for (const exe of [wrapper, pack]) {
    try {
      fs.accessSync(exe, fs.constants.X_OK);
    } catch {
      throw new Error(
        `${exe} is missing or not executable: the Pulumi CLI built here runs a Node.js policy pack only as a binary analyzer (its nodejs language host, v3.68.0, cannot), ` +
          `and scripts/bootstrap.sh writes the wrapper beside the CLI. Source scripts/bootstrap.sh again: it adds the wrapper to an existing cache without rebuilding.`,
      );
    }
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(PACK_SOURCE, "package.json"), "utf8")) as { main: string };
  const main = path.resolve(PACK_SOURCE, manifest.main);
  if (!fs.existsSync(main)) throw new Error(`${main} is missing: build first (npx tsc -p .)`);
  return pack;
}

interface LoggedRequest {
  method: string;
  path: string;
}
const requestLog = async (url: string) => ((await (await fetch(`${url}/__sandbox/requests`)).json()) as { requests: LoggedRequest[] }).requests;

/** The resources of a `pulumi stack export` document. */
const resourcesOf = (exported: unknown) => ((exported as { deployment?: { resources?: { type: string }[] } })?.deployment?.resources ?? []).map((r) => r.type);

describe("policy pack examples/gitops/policy on the real engine (sandboxes)", () => {
  let hw: HopsworksHarness;
  let q: QualyticsHarness;
  /** The platform's stacks; the audit searches the stack secrets and the policy's API key in everything the engine printed or stored. */
  let stack: EngineHarness;
  let base: Omit<StackOpRequest, "op" | "stackName">;
  const timings: string[] = [];

  beforeAll(async () => {
    const pack = preparePack();
    [hw, q] = await Promise.all([startHopsworksTestSandbox(), startQualyticsTestSandbox()]);
    const hopsworks = hopsworksStackConfig();
    stack = new EngineHarness({
      name: "e2e-policy",
      program: "test/e2e/programs/policy-platform.ts",
      projectName: "policy-e2e",
      // Each case names its own stack.
      stackName: "policy",
      // Databricks and Hopsworks from one harness, Qualytics from the other (its own Databricks
      // sandbox is not addressed: AWS_HOST maps to the Hopsworks harness's).
      endpoints: { ...q.qualytics.endpoints, ...hw.databricks.sandbox.endpoints, ...hw.hopsworks.endpoints },
      config: {
        ...hopsworks.config,
        "qualytics:url": `https://${QUALYTICS_HOST}/api`,
        "test:serverHostname": AWS_HOST,
        "test:httpPath": WAREHOUSE_PATH,
        "test:workspaceHost": AWS_HOST,
        "test:clusterA": MANAGED_CLUSTER,
        "test:clusterB": TERMINATED_CLUSTER,
        "test:clusterC": ATTACH_ONLY_CLUSTER,
        "test:memberUser": SCIENTIST.username,
        "test:outsiderUser": OUTSIDER.username,
      },
      secretConfig: { ...hopsworks.secretConfig, "qualytics:token": QUALYTICS_ADMIN_TOKEN, "test:pat": STACK_PAT },
      // The CI identity the membership policy looks members up with (a member of the project).
      env: { HOPSWORKS_API_KEY: OWNER.apiKey },
      policyPacks: [pack],
      secrets: [ALICE_TOKEN, OWNER.password, OWNER.apiKey, QUALYTICS_ADMIN_TOKEN, STACK_PAT],
      sandboxUrls: [hw.databricks.url(), hw.url(), q.url(), q.databricks.url()],
      stop: () => Promise.all([hw.close(), q.close()]),
    });
    base = stack.base;
  });
  afterAll(async () => {
    await (stack ? stack.close() : Promise.all([hw?.close(), q?.close()]));
    if (timings.length) process.stdout.write(`policy e2e timings: ${timings.join(", ")}\n`);
  });

  const run = async (what: string, request: StackOpRequest) => {
    const t0 = Date.now();
    // No secret (stack secrets, the policy's API key) may reach what the engine prints: the secret audit below.
    const result = await stack.stackOp(request);
    timings.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return result;
  };
  const clearLogs = async () => {
    for (const url of [hw.databricks.url(), hw.url(), q.url()]) await fetch(`${url}/__sandbox/requests`, { method: "DELETE" });
  };
  /** Nothing written anywhere: no request to Databricks or Qualytics, only the policy's reads of Hopsworks. */
  const expectNothingTouched = async () => {
    expect(await requestLog(hw.databricks.url())).toEqual([]);
    expect(await requestLog(q.url())).toEqual([]);
    const hopsworks = await requestLog(hw.url());
    expect(hopsworks.filter((r) => r.method !== "GET")).toEqual([]);
    expect(hopsworks.every((r) => /\/project\/(getProjectInfo\/|\d+\/projectMembers)/.test(r.path))).toBe(true);
  };
  /** The engine's report line for one policy on one resource, e.g. `[mandatory]  name  (type: res)`. */
  const violationLine = (level: "mandatory" | "advisory", policy: string, className: string, resource: string) =>
    new RegExp(`\\[${level}\\]\\s+${policy}\\s+\\(pulumi-nodejs:dynamic/databricks-integrations:${className}: ${resource}\\)`);

  test("a compliant platform previews with the pack and passes", async () => {
    await clearLogs();
    const r = await run("compliant preview", { ...base, op: "preview", stackName: "compliant", config: { ...base.config, "test:variant": "compliant" } });
    if (!r.ok) throw new Error(`the compliant preview failed: ${r.error}\n${r.output}`);
    expect(r.changeSummary).toEqual({ create: 9 });
    // The pack ran (the engine names it) and reported no violation.
    expect(r.output).toMatch(/Policies:[\s\S]*databricks-integrations@v0\.1\.0/);
    expect(r.output).not.toMatch(/\[mandatory\]/);
    for (const policy of [POLICY.sourceHasEnrichment, POLICY.tokenExpires, POLICY.tokenRotationWindow, POLICY.adoptReviewed])
      expect(r.output).not.toContain(policy);
    // A targetUser only known at `up` (the registration's user) is not a violation: the SDK says
    // the policy cannot run on it in preview (advisory), and it runs at `up`.
    expect(r.output).toMatch(violationLine("advisory", POLICY.clusterForProjectMember, "HopsworksConfiguredCluster", "for-registrant"));
    expect(r.output).toMatch(/can't run policy 'hopsworks-cluster-for-project-member'[^\n]*during preview/);
    expect(r.output).not.toMatch(/for-member\)|for-deployer\)/);
    // The policy looked the project up live, once for the two clusters it could check; nothing
    // else was called.
    await expectNothingTouched();
    expect((await requestLog(hw.url())).map((x) => x.path).filter((p) => p.includes("getProjectInfo"))).toHaveLength(1);
  });

  test("violations fail the preview, naming each policy and resource; a blocked up creates nothing", async () => {
    await clearLogs();
    const request: StackOpRequest = { ...base, op: "preview", stackName: "violations", config: { ...base.config, "test:variant": "violations" } };
    const preview = await run("violations preview", request);
    expect(preview.ok).toBe(false);
    const out = preview.output;
    expect(out).toMatch(violationLine("mandatory", POLICY.tokenExpires, "DatabricksAccessToken", "forever"));
    expect(out).toMatch(/DatabricksAccessToken "forever" has no lifetimeDays \(it gets the workspace's default, 2 years\): set lifetimeDays/);
    expect(out).toMatch(violationLine("mandatory", POLICY.sourceHasEnrichment, "QualyticsDatabricksDatastore", "unenriched"));
    expect(out).toMatch(/QualyticsDatabricksDatastore "unenriched" has no enrichment datastore/);
    expect(out).toMatch(violationLine("mandatory", POLICY.clusterForProjectMember, "HopsworksConfiguredCluster", "for-outsider"));
    expect(out).toContain(
      `targetUser "${OUTSIDER.username}" is not a member of Hopsworks project "${PROJECT}" (members: ${OWNER.username} (Data owner), ${SCIENTIST.username} (Data scientist))`,
    );
    // Advisory findings are shown too, without failing anything by themselves.
    expect(out).toMatch(violationLine("advisory", POLICY.tokenRotationWindow, "DatabricksAccessToken", "forever"));
    expect(out).toMatch(violationLine("advisory", POLICY.adoptReviewed, "QualyticsDatabricksDatastore", "unenriched"));
    expect(preview.error).toMatch(/policy violation|mandatory/i);

    // `up` with the pack: every resource is refused before its create, so nothing exists.
    const up = await run("violations up", { ...request, op: "up" });
    expect(up.ok).toBe(false);
    // The engine stops at the first mandatory violation it meets.
    expect(up.output).toMatch(/\[mandatory\]\s+(databricks-token-expires|qualytics-source-has-enrichment|hopsworks-cluster-for-project-member)\s/);
    await expectNothingTouched();
    const exported = await run("export", { ...request, op: "export", policyPacks: undefined });
    expect(resourcesOf(exported.deployment).filter((t) => t.startsWith("pulumi-nodejs:dynamic/"))).toEqual([]);
  });

  test("with no way to check membership, the cluster policy fails closed", async () => {
    const r = await run("preview without API key", {
      ...base,
      op: "preview",
      stackName: "compliant",
      config: { ...base.config, "test:variant": "compliant" },
      env: { ...base.env, HOPSWORKS_API_KEY: "" },
    });
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(violationLine("mandatory", POLICY.clusterForProjectMember, "HopsworksConfiguredCluster", "for-member"));
    expect(r.output).toContain(`cannot verify that targetUser "${SCIENTIST.username}" is a member of Hopsworks project "${PROJECT}": set HOPSWORKS_API_KEY`);
    expect(r.output).toMatch(/cannot verify that the deploying user \(targetUser is unset; hopsworks:email\) is a member/);
  });

  test("secret audit: no stack secret nor the policy's API key in the exported stacks, state, engine output or provider log", async () => {
    const summary = await stack.verifySecrets();
    expect(summary.secrets).toBeGreaterThanOrEqual(5);
  });
});

/** The membership rule itself, with the policy config (`allowedUsers`) and the live lookup. */
describe("membership rule of hopsworks-cluster-for-project-member", () => {
  const members = async () => [
    { username: "owner01", email: "owner@example.com", role: "Data owner" },
    { username: "scient01", email: "scientist@example.com", role: "Data scientist" },
  ];

  test("allowedUsers alone decides when there is no API key", async () => {
    const allowedUsers = { fraud_detection: ["scient01", "Owner@Example.com"] };
    expect(await membershipViolation({ project: "fraud_detection", targetUser: "scient01", allowedUsers })).toBeUndefined();
    expect(await membershipViolation({ project: "fraud_detection", caller: "owner@example.com", allowedUsers })).toBeUndefined();
    expect(await membershipViolation({ project: "fraud_detection", targetUser: "outsider1", allowedUsers })).toMatch(
      /not in the policy config's allowedUsers for project "fraud_detection"/,
    );
    expect(await membershipViolation({ project: "churn", targetUser: "scient01", allowedUsers })).toMatch(/cannot verify/);
  });

  test("with both, the user must be allowed and a live member", async () => {
    const allowedUsers = { fraud_detection: ["scient01", "outsider1"] };
    expect(await membershipViolation({ project: "fraud_detection", targetUser: "scientist@example.com", members })).toBeUndefined();
    expect(await membershipViolation({ project: "fraud_detection", targetUser: "outsider1", allowedUsers, members })).toMatch(
      /is not a member of Hopsworks project/,
    );
    expect(await membershipViolation({ project: "fraud_detection", targetUser: "owner01", allowedUsers, members })).toMatch(
      /not in the policy config's allowedUsers/,
    );
    expect(await membershipViolation({ project: "fraud_detection", members })).toMatch(/cannot tell who that is/);
  });

  test("a lookup that fails is a violation that says why, without the key", async () => {
    const lookup = liveMembers(hopsworksBaseUrl("hopsworks.invalid", 8181), "sandbox-key-never-printed");
    expect(hopsworksBaseUrl("hopsworks.invalid", 8181)).toBe("https://hopsworks.invalid:8181/hopsworks-api/api");
    const verdict = await membershipViolation({ project: "fraud_detection", targetUser: "scient01", members: lookup });
    expect(verdict).toMatch(
      /cannot verify that targetUser "scient01" is a member of Hopsworks project "fraud_detection": Hopsworks \(hopsworks\.invalid:8181\) did not answer/,
    );
    expect(verdict).not.toContain("sandbox-key-never-printed");
  });
});
