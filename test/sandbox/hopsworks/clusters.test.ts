import { ADMIN_TOKEN, ALICE_TOKEN, AWS_HOST, BOB_TOKEN } from "../../helpers/databricks-sandbox";
import {
  ATTACH_ONLY_CLUSTER,
  HOPSWORKS_HOST,
  MANAGED_CLUSTER,
  OTHER_PROJECT,
  OTHER_PROJECT_ID,
  OWNER,
  PROJECT,
  PROJECT_ID,
  SCIENTIST,
  TERMINATED_CLUSTER,
  startHopsworksTestSandbox,
  type HopsworksHarness,
  editableSpec,
} from "../../helpers/hopsworks-sandbox";

const base = `/project/${PROJECT_ID}/integrations/databricks`;
const apiBase = `https://${HOPSWORKS_HOST}/hopsworks-api/api`;

describe("hopsworks sandbox: reading clusters through the integration", () => {
  let h: HopsworksHarness;
  let jwt: string;
  beforeEach(async () => {
    h = await startHopsworksTestSandbox();
    jwt = await h.login(OWNER);
  });
  afterEach(async () => h.close());

  /** Tags a cluster through Databricks directly (the admin's full-spec edit). */
  const tag = async (clusterId: string, tags: Record<string, string>) => {
    const got = (await h.databricks.call("GET", `/api/2.0/clusters/get?cluster_id=${clusterId}`)).body;
    const spec = editableSpec(got);
    const res = await h.databricks.call("POST", "/api/2.0/clusters/edit", {
      token: ADMIN_TOKEN,
      body: { ...spec, custom_tags: { ...spec.custom_tags, ...tags } },
    });
    expect(res.status).toBe(200);
  };

  test("list answers the clusters the caller's PAT can see, through Databricks' 2.0 clusters/list", async () => {
    await h.call("POST", `${base}/${AWS_HOST}`, { jwt, body: { apiKey: ALICE_TOKEN } });
    const res = await h.call("GET", `${base}/${AWS_HOST}`, { jwt });
    expect(res.status).toBe(200);
    expect(res.body.href).toBe(`${apiBase}/project/${PROJECT_ID}/integrations/databricks/${AWS_HOST}`);
    expect(res.body.count).toBe(3);
    expect(res.body.items.map((c: { id: string; state: string }) => [c.id, c.state])).toEqual([
      [MANAGED_CLUSTER, "RUNNING"],
      [TERMINATED_CLUSTER, "TERMINATED"],
      [ATTACH_ONLY_CLUSTER, "RUNNING"],
    ]);
    expect(res.body.items[0]).toEqual({
      href: `${apiBase}/project/${PROJECT_ID}/integrations/databricks/${AWS_HOST}/cluster/${MANAGED_CLUSTER}`,
      id: MANAGED_CLUSTER,
      name: "shared-running",
      state: "RUNNING",
      sparkConfiguration: { "spark.sql.shuffle.partitions": "64" },
    });
    expect(h.databricks.sandbox.control.requests().some((r) => r.method === "GET" && r.path === "/api/2.0/clusters/list" && r.status === 200)).toBe(true);
  });

  test("a PAT that sees nothing lists nothing", async () => {
    await h.call("POST", `${base}/${AWS_HOST}`, { jwt, body: { apiKey: BOB_TOKEN } });
    const res = await h.call("GET", `${base}/${AWS_HOST}`, { jwt });
    // bob may only attach to the managed cluster.
    expect(res.body.items.map((c: { id: string }) => c.id)).toEqual([MANAGED_CLUSTER]);
  });

  test("Hopsworks tags fill project and user (expanded only in the list); tags naming nothing known are left out", async () => {
    await h.call("POST", `${base}/${AWS_HOST}`, { jwt, body: { apiKey: ALICE_TOKEN } });
    await tag(MANAGED_CLUSTER, { hopsworks_project_id: String(OTHER_PROJECT_ID), hopsworks_user: SCIENTIST.username });
    await tag(ATTACH_ONLY_CLUSTER, { hopsworks_project_id: "999", hopsworks_user: "ghost" });
    const one = await h.call("GET", `${base}/${AWS_HOST}/clusters/${MANAGED_CLUSTER}`, { jwt });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id: MANAGED_CLUSTER,
      project: OTHER_PROJECT,
      user: { href: expect.stringMatching(/\/users\/\d+$/) },
    });
    expect(one.body.user).not.toHaveProperty("username");
    const ghost = await h.call("GET", `${base}/${AWS_HOST}/clusters/${ATTACH_ONLY_CLUSTER}`, { jwt });
    expect(ghost.body).not.toHaveProperty("project");
    expect(ghost.body).not.toHaveProperty("user");
    const list = await h.call("GET", `${base}/${AWS_HOST}`, { jwt });
    expect(list.body.items.find((c: { id: string }) => c.id === MANAGED_CLUSTER)).toMatchObject({
      project: OTHER_PROJECT,
      user: { href: expect.stringMatching(/\/users\/\d+$/), username: SCIENTIST.username, email: SCIENTIST.email, firstname: "Sam", lastname: "Scientist" },
    });
    expect(PROJECT).not.toBe(OTHER_PROJECT);
  });

  test("an unregistered instance, or a registration whose secret is gone, is 404 SECRET_EMPTY", async () => {
    for (const path of [`${base}/${AWS_HOST}`, `${base}/${AWS_HOST}/clusters/${MANAGED_CLUSTER}`]) {
      const res = await h.call("GET", path, { jwt });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ errorCode: 160048, errorMsg: "Secret is empty", usrMsg: "Could not find Secret for user" });
    }
    await h.call("POST", `${base}/${AWS_HOST}`, { jwt, body: { apiKey: ALICE_TOKEN } });
    h.hopsworks.instances[0]!.instance.deleteSecret(OWNER.email, `db_${AWS_HOST}`);
    expect((await h.call("GET", `${base}/${AWS_HOST}`, { jwt })).body.errorCode).toBe(160048);
  });

  test("Databricks' refusals and unknown hosts are 500 DATABRICKS_ERROR with Databricks' raw answer (no devMsg at the default log level)", async () => {
    await h.call("POST", `${base}/${AWS_HOST}`, { jwt, body: { apiKey: ALICE_TOKEN } });
    const unknownCluster = await h.call("GET", `${base}/${AWS_HOST}/clusters/0101-000000-zzzzzzzz`, { jwt });
    expect(unknownCluster.status).toBe(500);
    expect(unknownCluster.body).toEqual({
      errorCode: 270125,
      errorMsg: "Error communicating with Databricks",
      usrMsg: expect.stringContaining('"message":"Cluster 0101-000000-zzzzzzzz does not exist"'),
    });

    // A revoked PAT (rotated out of band): Databricks' 401.
    h.hopsworks.instances[0]!.instance.setSecret(OWNER.email, `db_${AWS_HOST}`, "sandbox-revoked-token");
    expect((await h.call("GET", `${base}/${AWS_HOST}`, { jwt })).body).toMatchObject({
      errorCode: 270125,
      usrMsg: expect.stringContaining("Invalid access token"),
    });

    await h.call("POST", `${base}/dbc-00000000-0000.cloud.databricks.com`, { jwt, body: { apiKey: ALICE_TOKEN } });
    const unknownHost = await h.call("GET", `${base}/dbc-00000000-0000.cloud.databricks.com`, { jwt });
    expect(unknownHost.body).toMatchObject({ errorCode: 270125, usrMsg: "dbc-00000000-0000.cloud.databricks.com: Name or service not known" });
  });

  test("an injected Databricks fault surfaces as 270125, once (no retry)", async () => {
    await h.call("POST", `${base}/${AWS_HOST}`, { jwt, body: { apiKey: ALICE_TOKEN } });
    h.databricks.sandbox.control.addFault({ route: "GET /api/2.0/clusters/list", kind: "status", status: 503, count: 1 });
    const faulted = await h.call("GET", `${base}/${AWS_HOST}`, { jwt });
    expect(faulted.body).toMatchObject({ errorCode: 270125, usrMsg: expect.stringContaining("The service is temporarily unavailable.") });
    expect((await h.call("GET", `${base}/${AWS_HOST}`, { jwt })).status).toBe(200);
  });
});
