import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startSandbox } from "../../../sandbox";
import { ScaledClock } from "../../../sandbox/common/clock";
import { startHopsworksSandbox, type HopsworksSeed } from "../../../sandbox/hopsworks";
import { ALICE_TOKEN, AWS_HOST } from "../../helpers/databricks-sandbox";
import {
  HOPSWORKS_HOST,
  MANAGED_CLUSTER,
  OTHER_PROJECT_ID,
  OWNER,
  PROJECT,
  PROJECT_ID,
  TERMINATED_CLUSTER,
  eventually,
  hopsworksDatabricksSeed,
  hopsworksTestSeed,
  startHopsworksTestSandbox,
  type HopsworksHarness,
} from "../../helpers/hopsworks-sandbox";

const base = `/project/${PROJECT_ID}/integrations/databricks`;

describe("hopsworks sandbox: persistence", () => {
  let h: HopsworksHarness;
  beforeEach(async () => {
    h = await startHopsworksTestSandbox();
  });
  afterEach(async () => h.close());

  test("registrations, secrets, login tokens and key passwords survive a restart", async () => {
    const jwt = await h.login(OWNER);
    await h.call("POST", `${base}/${AWS_HOST}`, { jwt, body: { apiKey: ALICE_TOKEN } });
    await h.call("POST", "/users/secrets", { apiKey: OWNER.apiKey, body: { name: "kept", secret: "kept-value" } });
    expect((await h.call("POST", `${base}/${AWS_HOST}/clusters/${TERMINATED_CLUSTER}`, { jwt })).status).toBe(200);
    const certKey = `/hopsworks/${HOPSWORKS_HOST}/${PROJECT}__${OWNER.username}/${PROJECT}__${OWNER.username}__cert.key`;
    const readCertKey = async () => (await h.databricks.call("GET", `/api/2.0/dbfs/read?path=${encodeURIComponent(certKey)}`)).body.data;
    const password = await readCertKey();
    expect(fs.existsSync(path.join(h.stateDir, "hopsworks.json"))).toBe(true);

    await h.restart();

    // The JWT issued before the restart is still good: the signing key is part of the state.
    expect((await h.call("GET", base, { jwt })).body.items).toEqual([expect.objectContaining({ url: AWS_HOST })]);
    expect(h.hopsworks.instances[0]!.instance.registrations(OWNER.email)).toEqual([AWS_HOST]);
    expect((await h.call("GET", "/users/secrets/kept", { apiKey: OWNER.apiKey })).body.items[0].secret).toBe("kept-value");
    expect((await h.call("GET", `${base}/${AWS_HOST}/clusters/${TERMINATED_CLUSTER}`, { jwt })).body).toMatchObject({ project: PROJECT });
    await h.login(OWNER);
    // Reconfiguring after the restart reuses the same keystore password and the uploaded archive.
    await eventually(async () => (await h.databricks.call("GET", `/api/2.0/clusters/get?cluster_id=${MANAGED_CLUSTER}`)).body.state === "RUNNING");
    expect((await h.call("POST", `${base}/${AWS_HOST}/clusters/${MANAGED_CLUSTER}`, { jwt })).status).toBe(200);
    expect(await readCertKey()).toBe(password);
    expect(h.databricks.sandbox.control.requests().filter((r) => r.path === "/api/2.0/dbfs/add-block")).toHaveLength(3);
  });
});

describe("hopsworks sandbox: seeding", () => {
  const start = (seed: HopsworksSeed, stateDir?: string) => startHopsworksSandbox({ seed, stateDir, clock: new ScaledClock(0.001) });

  test("project ids: explicit ones are kept, the others count up from 119 around them", async () => {
    const seed: HopsworksSeed = {
      instances: [
        {
          host: "hw.example.com",
          users: [{ email: "a@example.com", username: "a", password: "pw" }],
          projects: [
            { name: "first", owner: "a@example.com" },
            { name: "second", id: 119, owner: "a@example.com" },
            { name: "third", owner: "a@example.com" },
          ],
        },
      ],
    };
    const sandbox = await start(seed);
    try {
      const inst = sandbox.instances[0]!.instance;
      expect(["first", "second", "third"].map((n) => inst.findProject(n)?.id)).toEqual([120, 119, 121]);
      expect(inst.version).toBe("4.2.1");
      expect(sandbox.endpoints["hw.example.com"]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await sandbox.close();
    }
  });

  test("a seed only fills clusters the state has not seen; a bad seed fails startup loudly", async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pdi-hopsworks-seed-"));
    const first = await start(hopsworksTestSeed(), stateDir);
    first.instances[0]!.instance.setSecret(OWNER.email, "survivor", "v");
    await first.close();

    const grown = hopsworksTestSeed();
    grown.instances![0]!.projects = [];
    grown.instances!.push({ host: "second.example.com", users: [{ email: "b@example.com", username: "b", password: "pw" }] });
    const second = await start(grown, stateDir);
    try {
      const [known, added] = second.instances.map((r) => r.instance);
      expect(known!.findProject(PROJECT)?.id).toBe(PROJECT_ID);
      expect(known!.secret(OWNER.email, "survivor")?.value).toBe("v");
      expect(added!.host).toBe("second.example.com");
      expect(Object.keys(second.endpoints).sort()).toEqual([HOPSWORKS_HOST, "second.example.com"]);
    } finally {
      await second.close();
    }

    const bad = (projects: unknown) =>
      start({ instances: [{ host: "bad.example.com", users: [{ email: "a@example.com", username: "a", password: "pw" }], projects } as never] });
    await expect(bad([{ name: "p", owner: "nobody@example.com" }])).rejects.toThrow("owner 'nobody@example.com' is not a seeded user");
    await expect(bad([{ name: "p", owner: "a@example.com", members: [{ email: "x@example.com", role: "Data scientist" }] }])).rejects.toThrow(
      "member 'x@example.com' is not a seeded user",
    );
    await expect(
      bad([
        { name: "p", owner: "a@example.com" },
        { name: "p", owner: "a@example.com" },
      ]),
    ).rejects.toThrow("duplicate project 'p'");
    await expect(
      start({ instances: [{ host: "h", projects: [{ name: "p", owner: "o", members: [{ email: "o", role: "Admin" }] }] }] } as never),
    ).rejects.toThrow();
  });
});

describe("hopsworks sandbox: startSandbox", () => {
  test("starts Hopsworks after Databricks, wires the integration to it, and merges the endpoints", async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pdi-sandbox-"));
    const sandbox = await startSandbox({ config: { timeScale: 0.001, databricks: hopsworksDatabricksSeed(), hopsworks: hopsworksTestSeed() }, stateDir });
    try {
      expect(sandbox.endpoints[HOPSWORKS_HOST]).toBe(sandbox.hopsworks.endpoints[HOPSWORKS_HOST]);
      expect(sandbox.endpoints[AWS_HOST]).toBe(sandbox.databricks.endpoints[AWS_HOST]);
      const api = `${sandbox.endpoints[HOPSWORKS_HOST]}/hopsworks-api/api`;
      const login = await fetch(`${api}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ email: OWNER.email, password: OWNER.password }).toString(),
      });
      const auth = { authorization: login.headers.get("authorization")!, "content-type": "application/json" };
      await fetch(`${api}${base}/${AWS_HOST}`, { method: "POST", headers: auth, body: JSON.stringify({ apiKey: ALICE_TOKEN }) });
      const listed = await fetch(`${api}${base}/${AWS_HOST}`, { headers: { authorization: auth.authorization } });
      expect(listed.status).toBe(200);
      expect(((await listed.json()) as { count: number }).count).toBe(3);
      expect(sandbox.databricks.control.requests().some((r) => r.path === "/api/2.0/clusters/list")).toBe(true);
      expect(fs.existsSync(path.join(stateDir, "hopsworks.json"))).toBe(true);
    } finally {
      await sandbox.close();
    }
  });

  test("sandbox/seed.json's Hopsworks: the admin owns fraud_detection (119), the ML engineer churn (120)", async () => {
    const sandbox = await startSandbox({ configFile: path.join(__dirname, "../../../sandbox/seed.json"), timeScale: 0.001 });
    try {
      const api = `${sandbox.endpoints["hopsworks.example.com"]}/hopsworks-api/api`;
      const get = (p: string, key: string) => fetch(`${api}${p}`, { headers: { authorization: `ApiKey ${key}` } }).then((r) => r.json());
      expect(await get("/project/getProjectInfo/fraud_detection", "sandbox-hopsworks-apikey-admin")).toMatchObject({
        projectId: 119,
        owner: "platform-admin@example.com",
      });
      const members = (await get(`/project/119/projectMembers`, "sandbox-hopsworks-apikey-scientist")) as { user: { username: string }; teamRole: string }[];
      expect(members.map((m) => [m.user.username, m.teamRole])).toEqual([
        ["platformadmin", "Data owner"],
        ["datascientist", "Data scientist"],
        ["mlengineer", "Data scientist"],
      ]);
      const churn = sandbox.hopsworks.instances[0]!.instance.findProject("churn");
      expect(churn).toMatchObject({ id: OTHER_PROJECT_ID, ownerEmail: "ml-engineer@example.com" });
      const login = await fetch(`${api}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "email=ml-engineer%40example.com&password=sandbox-password-ml",
      });
      expect(login.status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });

  test("a bad Hopsworks seed fails startSandbox after closing what had started", async () => {
    const config = { timeScale: 0.001, hopsworks: { instances: [{ host: "h.example.com", projects: [{ name: "p", owner: "nobody@example.com" }] }] } };
    await expect(startSandbox({ config })).rejects.toThrow("is not a seeded user");
  });
});
