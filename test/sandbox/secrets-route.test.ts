import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ADMIN_TOKEN, ALICE_TOKEN, AWS_HOST, AZURE_ADMIN_TOKEN, AZURE_HOST, BOB_TOKEN, startTestSandbox } from "../helpers/databricks-sandbox";
import { OUTSIDER, OWNER, PROJECT_ID, SCIENTIST, startHopsworksTestSandbox } from "../helpers/hopsworks-sandbox";
import {
  QUALYTICS_ADMIN_TOKEN,
  QUALYTICS_MANAGER_TOKEN,
  QUALYTICS_MEMBER_TOKEN,
  WAREHOUSE_PATH,
  databricksConnection,
  datastoreBody,
  startQualyticsTestSandbox,
} from "../helpers/qualytics-sandbox";
import { SecretAudit } from "../helpers/secret-audit";

/** A serialized provider as the engine stores it: a loader of the lifecycle module, nothing else. */
const PROVIDER =
  'exports.handler = __f0;\nfunction __f0() { with({ modulePath: "pulumi-databricks-integrations/dist/provider/databricks/access-token" }) { return () => require(modulePath).provider; } }';

/** `GET /__sandbox/secrets` on one listener: no credentials, never in the request log. */
const secretsOf = async (baseUrl: string): Promise<string[]> => {
  const res = await fetch(`${baseUrl}/__sandbox/secrets`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { secrets: unknown };
  expect(Array.isArray(body.secrets)).toBe(true);
  return body.secrets as string[];
};
const requestLog = async (baseUrl: string) => ((await (await fetch(`${baseUrl}/__sandbox/requests`)).json()) as { requests: { path: string }[] }).requests;

describe("sandbox control route GET /__sandbox/secrets", () => {
  test("Databricks: seeded tokens of every workspace, tokens created through the API (also once revoked), on every workspace's port, and after a restart", async () => {
    let h = await startTestSandbox();
    try {
      const seeded = [ADMIN_TOKEN, ALICE_TOKEN, BOB_TOKEN, AZURE_ADMIN_TOKEN];
      const aws = await secretsOf(h.url(AWS_HOST));
      expect(aws).toEqual(expect.arrayContaining(seeded));
      // One answer per service, whichever workspace is asked.
      expect(await secretsOf(h.url(AZURE_HOST))).toEqual(aws);

      const created = await h.call("POST", "/api/2.0/token/create", { token: ALICE_TOKEN, body: { comment: "audit", lifetime_seconds: 3600 } });
      expect(created.status).toBe(200);
      const value = created.body.token_value as string;
      expect(await secretsOf(h.url())).toContain(value);
      // A revoked token stays a secret that must never leak.
      expect((await h.call("POST", "/api/2.0/token/delete", { token: ALICE_TOKEN, body: { token_id: created.body.token_info.token_id } })).status).toBe(200);
      expect(await secretsOf(h.url(AZURE_HOST))).toContain(value);
      // Control routes are not API requests: nothing in the log, no credential needed.
      expect((await requestLog(h.url())).map((r) => r.path)).not.toContain("/__sandbox/secrets");

      // A restart on the same state still knows what was issued before.
      const stateDir = h.stateDir;
      await h.close();
      h = await startTestSandbox({ stateDir });
      expect(await secretsOf(h.url())).toEqual(expect.arrayContaining([...seeded, value]));
    } finally {
      await h.close();
    }
  });

  test("Hopsworks: seeded passwords and API keys, every JWT it issued, registered Databricks keys and user secrets (also once deleted), after a restart too", async () => {
    const h = await startHopsworksTestSandbox();
    try {
      const seeded = [OWNER, SCIENTIST, OUTSIDER].flatMap((u) => [u.password, u.apiKey]);
      expect(await secretsOf(h.url())).toEqual(expect.arrayContaining(seeded));

      const jwt = await h.login(OWNER);
      expect(await secretsOf(h.url())).toContain(jwt);
      const issued = h.hopsworks.instances[0]!.instance.issueToken(SCIENTIST.email);
      expect(await secretsOf(h.url())).toContain(issued);

      const registered = await h.call("POST", `/project/${PROJECT_ID}/integrations/databricks/${AWS_HOST}`, { jwt, body: { apiKey: ALICE_TOKEN } });
      expect(registered.status).toBe(200);
      const secret = await h.call("POST", "/users/secrets", {
        apiKey: OWNER.apiKey,
        body: { name: "warehouse_pw", secret: "audit-user-secret-value", visibility: "PRIVATE" },
      });
      expect(secret.status).toBe(200);
      h.hopsworks.instances[0]!.instance.setSecret(OWNER.email, "oob", "audit-out-of-band-value");
      expect(await secretsOf(h.url())).toEqual(expect.arrayContaining([ALICE_TOKEN, "audit-user-secret-value", "audit-out-of-band-value"]));

      // Configure writes a keystore password: a secret the cluster holds.
      const instance = h.hopsworks.instances[0]!.instance;
      const keystorePassword = instance.certPassword("fraud_detection", SCIENTIST.username);
      expect(await secretsOf(h.url())).toContain(keystorePassword);

      // Unregistered and deleted: still known.
      expect((await h.call("DELETE", `/project/${PROJECT_ID}/integrations/databricks/${AWS_HOST}`, { jwt })).status).toBeLessThan(300);
      expect((await h.call("DELETE", "/users/secrets/warehouse_pw", { apiKey: OWNER.apiKey })).status).toBe(200);
      await h.restart();
      const after = await secretsOf(h.url());
      expect(after).toEqual(
        expect.arrayContaining([...seeded, jwt, issued, ALICE_TOKEN, "audit-user-secret-value", "audit-out-of-band-value", keystorePassword]),
      );
      expect((await requestLog(h.url())).map((r) => r.path)).not.toContain("/__sandbox/secrets");
      // The Databricks sandbox behind it answers for its own tokens.
      expect(await secretsOf(h.databricks.url())).toContain(ALICE_TOKEN);
      expect(fs.existsSync(`${h.stateDir}/hopsworks-secrets.json`)).toBe(true);
    } finally {
      await h.close();
    }
  });

  test("Qualytics: seeded API tokens, connection passwords it holds (also once deleted or replaced), passwords it was asked to test, after a restart too", async () => {
    const h = await startQualyticsTestSandbox();
    try {
      const seeded = [QUALYTICS_ADMIN_TOKEN, QUALYTICS_MANAGER_TOKEN, QUALYTICS_MEMBER_TOKEN];
      expect(await secretsOf(h.url())).toEqual(expect.arrayContaining(seeded));

      const made = await h.call("POST", "/api/datastores", {
        body: datastoreBody("audited", { connection: databricksConnection({ name: "audited_conn", password: ALICE_TOKEN }) }),
      });
      expect(made.status).toBe(200);
      expect(await secretsOf(h.url())).toContain(ALICE_TOKEN);
      expect(
        (
          await h.call("PUT", `/api/connections/${made.body.connection_id}`, {
            body: { ...(await connectionNameAndType(h, made.body.connection_id)), password: "audit-replaced-password" },
          })
        ).status,
      ).toBe(200);
      const tested = await h.call("POST", "/api/datastores/connection", {
        body: {
          name: "never_saved",
          teams: ["Public"],
          connection: { name: "never_saved_conn", type: "databricks", host: AWS_HOST, password: "audit-tested-password", parameters: { path: WAREHOUSE_PATH } },
        },
      });
      expect(tested.status).toBe(400);
      expect((await h.call("DELETE", `/api/datastores/${made.body.id}`)).status).toBe(204);
      expect((await h.call("DELETE", `/api/connections/${made.body.connection_id}`)).status).toBe(204);

      await h.restart();
      expect(await secretsOf(h.url())).toEqual(expect.arrayContaining([...seeded, ALICE_TOKEN, "audit-replaced-password", "audit-tested-password"]));
      expect((await requestLog(h.url())).map((r) => r.path)).not.toContain("/__sandbox/secrets");
    } finally {
      await h.close();
    }
  });
});

describe("the secret audit (test/helpers/secret-audit.ts) over the route", () => {
  test("finds a sandbox's secrets in clear, base64 at any alignment and URL-encoded, names where, and never prints them", async () => {
    const h = await startHopsworksTestSandbox();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdi-audit-"));
    try {
      const jwt = await h.login(OWNER);
      const clean = new SecretAudit();
      clean.addSandbox(h.url());
      clean.addSandbox(h.databricks.url());
      clean.addSecrets("short", undefined);
      clean.trackText("harmless", "nothing to see here");
      fs.mkdirSync(path.join(dir, "state"));
      fs.writeFileSync(path.join(dir, "state", "checkpoint.json"), JSON.stringify({ resources: [{ outputs: { __provider: PROVIDER } }] }));
      clean.trackPath("state", path.join(dir, "state"));
      clean.trackPath("log", path.join(dir, "missing.log"));
      clean.track({
        output: "done",
        outputs: { pat: { value: ALICE_TOKEN, secret: true } },
        deployment: { deployment: { resources: [{ inputs: { __provider: PROVIDER } }] } },
      });
      const summary = await clean.verify();
      expect(summary.secrets).toBeGreaterThanOrEqual(9);
      expect(summary.skipped).toBe(1);
      expect(summary.providers).toBe(2);
      expect(summary.missing).toEqual([`log (${path.join(dir, "missing.log")})`]);

      const leaky = new SecretAudit();
      leaky.addSandbox(h.url());
      leaky.addSandbox(h.databricks.url());
      leaky.trackText("engine output", `Authorization: Basic ${Buffer.from(`owner:${OWNER.password}`).toString("base64")}`);
      leaky.trackText("cli output", `?token=${encodeURIComponent(jwt)}&x=1`);
      fs.writeFileSync(path.join(dir, "provider.log"), `x ${Buffer.from(`{"k":"${ALICE_TOKEN}"}`).toString("base64url")}\n`);
      leaky.trackPath("provider log", path.join(dir, "provider.log"));
      leaky.track({
        outputs: { pat: { value: BOB_TOKEN, secret: false } },
        deployment: { resources: [{ inputs: { __provider: `${PROVIDER}\nvar k = "${OWNER.apiKey}";` } }] },
      });
      const error = await leaky.verify().then(
        () => undefined,
        (err: Error) => err.message,
      );
      expect(error).toBeDefined();
      expect(error).toMatch(/in engine output/);
      expect(error).toMatch(/in cli output/);
      expect(error).toMatch(/in provider log/);
      expect(error).toMatch(/stack operation #1 outputs/);
      expect(error).toMatch(/serialized provider .*not the lifecycle module path/);
      for (const secret of [OWNER.password, jwt, ALICE_TOKEN, BOB_TOKEN, OWNER.apiKey]) expect(error).not.toContain(secret);
    } finally {
      await h.close();
    }
  });
});

/** `PUT /connections/{id}` requires `name` and `type` (qualytics-cli sends them from a GET first). */
async function connectionNameAndType(h: { call: (m: string, p: string) => Promise<{ body: any }> }, id: number): Promise<{ name: string; type: string }> {
  const { name, type } = (await h.call("GET", `/api/connections/${id}`)).body;
  return { name, type };
}
