import Fastify from "fastify";
import { ScaledClock } from "../../../sandbox/common/clock";
import { startHopsworksSandbox } from "../../../sandbox/hopsworks";
import { ADMIN_TOKEN, ALICE_TOKEN, AWS_HOST, freezeSandboxClock } from "../../helpers/databricks-sandbox";
import {
  ATTACH_ONLY_CLUSTER,
  HOPSWORKS_HOST,
  HSFS_REQUIREMENT,
  MANAGED_CLUSTER,
  OUTSIDER,
  OWNER,
  PROJECT,
  PROJECT_ID,
  SCIENTIST,
  TERMINATED_CLUSTER,
  eventually,
  hopsworksTestSeed,
  type HopsworksHarness,
  type HopsworksTestUser,
  startHopsworksTestSandbox,
} from "../../helpers/hopsworks-sandbox";

const base = `/project/${PROJECT_ID}/integrations/databricks/${AWS_HOST}`;
const ARCHIVE = `/hopsworks/${HOPSWORKS_HOST}/clients.tar.gz`;
const dirOf = (user: HopsworksTestUser) => `/hopsworks/${HOPSWORKS_HOST}/${PROJECT}__${user.username}`;
const HOPSWORKS_CONF_KEYS = [
  "spark.hadoop.fs.hopsfs.impl",
  "spark.hadoop.hops.ipc.server.ssl.enabled",
  "spark.hadoop.hops.ssl.hostname.verifier",
  "spark.hadoop.hops.rpc.socket.factory.class.default",
  "spark.hadoop.client.rpc.ssl.enabled.protocol",
  "spark.hadoop.hops.ssl.keystores.passwd.name",
  "spark.hadoop.hops.ssl.keystore.name",
  "spark.hadoop.hops.ssl.trustore.name",
  "spark.serializer",
  "spark.sql.hive.metastore.jars",
  "spark.hadoop.hive.metastore.uris",
];
const DEFAULT_AWS_ATTRIBUTES = { availability: "SPOT_WITH_FALLBACK", zone_id: "auto", first_on_demand: 1, spot_bid_price_percent: 100 };

describe("hopsworks sandbox: configuring a Databricks cluster", () => {
  let h: HopsworksHarness;
  let jwt: string;
  beforeEach(async () => {
    h = await startHopsworksTestSandbox();
    jwt = await h.login(OWNER);
    expect((await h.call("POST", base, { jwt, body: { apiKey: ALICE_TOKEN } })).status).toBe(200);
  });
  afterEach(async () => h.close());

  const cluster = async (id: string) => (await h.databricks.call("GET", `/api/2.0/clusters/get?cluster_id=${id}`)).body;
  const dbfsStatus = (path: string) => h.databricks.call("GET", `/api/2.0/dbfs/get-status?path=${encodeURIComponent(path)}`);
  const dbfsText = async (path: string) => {
    const res = await h.databricks.call("GET", `/api/2.0/dbfs/read?path=${encodeURIComponent(path)}`);
    expect(res.status).toBe(200);
    return Buffer.from(res.body.data, "base64");
  };
  const databricksCalls = (since: number) =>
    h.databricks.sandbox.control.requests(since).map((r) => `${r.method} ${r.path.replace(/^\/api\/2\.0\//, "")}${r.status && r.status >= 300 ? ` ${r.status}` : ""}`);
  const lastSeq = () => h.databricks.sandbox.control.requests().at(-1)?.seq ?? 0;
  const configure = (clusterId: string, options: { as?: string; username?: string } = {}) =>
    h.call("POST", `${base}/clusters/${clusterId}${options.username !== undefined ? `?username=${options.username}` : ""}`, { jwt: options.as ?? jwt });

  test("the TERMINATED cluster, for the caller: archive, init script and key material on DBFS, a lossy edit, start, hsfs", async () => {
    const since = lastSeq();
    const res = await configure(TERMINATED_CLUSTER);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      href: expect.stringContaining(`/integrations/databricks/${AWS_HOST}/cluster/${TERMINATED_CLUSTER}`),
      id: TERMINATED_CLUSTER,
      name: "shared-terminated",
      state: expect.stringMatching(/^(PENDING|RUNNING)$/),
      project: PROJECT,
      user: { username: OWNER.username, email: OWNER.email },
    });

    // Every step went to the Databricks listener, in the real order, with the caller's PAT.
    expect(databricksCalls(since)).toEqual([
      "GET clusters/get",
      "GET dbfs/get-status 404",
      "POST dbfs/create",
      "POST dbfs/add-block",
      "POST dbfs/add-block",
      "POST dbfs/add-block",
      "POST dbfs/close",
      "POST dbfs/put",
      "POST dbfs/put",
      "POST dbfs/put",
      "POST dbfs/put",
      "POST clusters/edit",
      "POST clusters/start",
      "GET clusters/get",
      "POST libraries/install",
      "GET clusters/get",
    ]);

    const archive = await dbfsStatus(ARCHIVE);
    expect(archive.body).toMatchObject({ is_dir: false, file_size: 2.5 * 1024 * 1024 });
    const dir = dirOf(OWNER);
    const script = (await dbfsText(`${dir}/initScript.sh`)).toString("utf8");
    expect(script).toMatch(/^#!\/bin\/bash\n/);
    expect(script).toContain(`tar -xzf "$ARCHIVE"`);
    expect(script).toContain(`ARCHIVE=/dbfs${ARCHIVE}`);
    expect(script).toContain("/databricks/jars/");
    const prefix = `${dir}/${PROJECT}__${OWNER.username}`;
    expect((await dbfsText(`${prefix}__kstore.jks`)).subarray(0, 4)).toEqual(Buffer.from([0xfe, 0xed, 0xfe, 0xed]));
    expect((await dbfsText(`${prefix}__tstore.jks`)).length).toBeGreaterThan(1000);
    const password = (await dbfsText(`${prefix}__cert.key`)).toString("utf8");
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const after = await cluster(TERMINATED_CLUSTER);
    expect(after.state).toMatch(/^(PENDING|RUNNING)$/);
    // The user's own Spark conf and tags stay; the 11 Hopsworks keys and the two tags are added.
    expect(after.spark_conf).toEqual({
      "spark.databricks.delta.preview.enabled": "true",
      "spark.hadoop.fs.hopsfs.impl": "io.hops.hopsfs.client.HopsFileSystem",
      "spark.hadoop.hops.ipc.server.ssl.enabled": "true",
      "spark.hadoop.hops.ssl.hostname.verifier": "ALLOW_ALL",
      "spark.hadoop.hops.rpc.socket.factory.class.default": "io.hops.hadoop.shaded.org.apache.hadoop.net.HopsSSLSocketFactory",
      "spark.hadoop.client.rpc.ssl.enabled.protocol": "TLSv1.2",
      "spark.hadoop.hops.ssl.keystores.passwd.name": `/dbfs${prefix}__cert.key`,
      "spark.hadoop.hops.ssl.keystore.name": `/dbfs${prefix}__kstore.jks`,
      "spark.hadoop.hops.ssl.trustore.name": `/dbfs${prefix}__tstore.jks`,
      "spark.serializer": "org.apache.spark.serializer.KryoSerializer",
      "spark.sql.hive.metastore.jars": "/hopsworks_metastore_jar/lib/*",
      "spark.hadoop.hive.metastore.uris": `thrift://${HOPSWORKS_HOST}:9083`,
    });
    expect(Object.keys(after.spark_conf).filter((k) => HOPSWORKS_CONF_KEYS.includes(k))).toHaveLength(11);
    expect(after.custom_tags).toEqual({ cost_center: "ml", hopsworks_project_id: String(PROJECT_ID), hopsworks_user: OWNER.username });
    expect(after.init_scripts).toEqual([{ dbfs: { destination: `dbfs:${dir}/initScript.sh` } }]);
    // Lossy: what Hopsworks does not model is gone (and the cloud attributes are Databricks' defaults again).
    expect(after).not.toHaveProperty("policy_id");
    expect(after).not.toHaveProperty("data_security_mode");
    expect(after).not.toHaveProperty("single_user_name");
    expect(after.aws_attributes).toEqual(DEFAULT_AWS_ATTRIBUTES);
    expect(after).toMatchObject({ cluster_name: "shared-terminated", spark_version: "15.4.x-scala2.12", node_type_id: "i3.xlarge", num_workers: 1 });

    const libs = await h.databricks.call("GET", `/api/2.0/libraries/cluster-status?cluster_id=${TERMINATED_CLUSTER}`);
    expect(libs.body.library_statuses.map((s: { library: unknown }) => s.library)).toEqual([{ pypi: { package: HSFS_REQUIREMENT } }]);
    await eventually(async () => (await cluster(TERMINATED_CLUSTER)).state === "RUNNING");

    // A second configure: the archive is already there (no second upload); the same password.
    const since2 = lastSeq();
    expect((await configure(TERMINATED_CLUSTER)).status).toBe(200);
    expect(databricksCalls(since2).filter((c) => c.startsWith("POST dbfs/") && !c.startsWith("POST dbfs/put"))).toEqual([]);
    expect(h.databricks.sandbox.control.requests().filter((r) => r.path === "/api/2.0/dbfs/add-block")).toHaveLength(3);
    expect((await dbfsText(`${prefix}__cert.key`)).toString("utf8")).toBe(password);
  });

  test("the RUNNING cluster: the edit restarts it, no start call; user init script replaced, AWS attributes reset", async () => {
    const since = lastSeq();
    const res = await configure(MANAGED_CLUSTER);
    expect(res.status).toBe(200);
    expect(res.body.state).toMatch(/^(RESTARTING|RUNNING)$/);
    const calls = databricksCalls(since);
    expect(calls).not.toContain("POST clusters/start");
    expect(calls).toContain("POST clusters/edit");
    const after = await cluster(MANAGED_CLUSTER);
    expect(after.init_scripts).toEqual([{ dbfs: { destination: `dbfs:${dirOf(OWNER)}/initScript.sh` } }]);
    expect(after.aws_attributes).toEqual(DEFAULT_AWS_ATTRIBUTES);
    expect(after.spark_conf["spark.sql.shuffle.partitions"]).toBe("64");
    expect(after.custom_tags).toMatchObject({ team: "fraud", hopsworks_user: OWNER.username });
    expect(after.autotermination_minutes).toBe(60);
    const events = await h.databricks.call("POST", "/api/2.0/clusters/events", { body: { cluster_id: MANAGED_CLUSTER } });
    expect(events.body.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(["EDITED", "RESTARTING"]));
    await eventually(async () => (await cluster(MANAGED_CLUSTER)).state === "RUNNING");
  });

  test("a Data owner configures for another member: certificates and tags are the member's, the PAT the owner's", async () => {
    expect((await configure(MANAGED_CLUSTER)).status).toBe(200);
    expect((await cluster(MANAGED_CLUSTER)).custom_tags.hopsworks_user).toBe(OWNER.username);
    // The first configure restarted the cluster; Databricks refuses an edit until it runs again.
    await eventually(async () => (await cluster(MANAGED_CLUSTER)).state === "RUNNING");
    const res = await configure(MANAGED_CLUSTER, { username: SCIENTIST.username });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ username: SCIENTIST.username, email: SCIENTIST.email });
    const after = await cluster(MANAGED_CLUSTER);
    expect(after.custom_tags.hopsworks_user).toBe(SCIENTIST.username);
    const prefix = `${dirOf(SCIENTIST)}/${PROJECT}__${SCIENTIST.username}`;
    expect(after.spark_conf["spark.hadoop.hops.ssl.keystore.name"]).toBe(`/dbfs${prefix}__kstore.jks`);
    expect((await dbfsStatus(`${prefix}__cert.key`)).status).toBe(200);
    expect(after.init_scripts).toEqual([{ dbfs: { destination: `dbfs:${dirOf(SCIENTIST)}/initScript.sh` } }]);
    // The scientist registered nothing: the owner's PAT did the work.
    expect(h.hopsworks.instances[0]!.instance.registrations(SCIENTIST.email)).toEqual([]);
  });

  test("refusals before any Databricks call: scientist for another user 422, unknown user 160001, non-member 160053, unregistered 160048", async () => {
    const since = lastSeq();
    const scientist = await h.login(SCIENTIST);
    await h.call("POST", base, { jwt: scientist, body: { apiKey: ADMIN_TOKEN } });
    const forOther = await configure(MANAGED_CLUSTER, { as: scientist, username: OWNER.username });
    expect(forOther.status).toBe(422);
    expect(forOther.body).toEqual({
      errorCode: 120001,
      errorMsg: "An argument was not provided or it was malformed.",
      usrMsg: "Only Data owners are allowed to configure clusters for team members",
    });
    const unknown = await configure(MANAGED_CLUSTER, { username: "ghost" });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ errorCode: 160001, errorMsg: "User does not exist.", usrMsg: "Cannot find user with username: ghost" });
    const outsider = await configure(MANAGED_CLUSTER, { username: OUTSIDER.username });
    expect(outsider.status).toBe(400);
    expect(outsider.body).toEqual({ errorCode: 160053, errorMsg: "Role not found", usrMsg: `Cannot find role for user: ${OUTSIDER.username} in project: ${PROJECT}` });
    await h.call("DELETE", base, { jwt });
    const unregistered = await configure(MANAGED_CLUSTER);
    expect(unregistered).toMatchObject({ status: 404, body: { errorCode: 160048 } });
    expect(databricksCalls(since)).toEqual([]);
  });

  test("a PAT without Can Manage: 500 270125 with Databricks' permission message, earlier uploads left in place", async () => {
    const res = await configure(ATTACH_ONLY_CLUSTER);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      errorCode: 270125,
      errorMsg: "Error communicating with Databricks",
      usrMsg: `User alice@example.com does not have Manage permissions on cluster ${ATTACH_ONLY_CLUSTER}.`,
      devMsg: expect.stringContaining("clusters/edit answered HTTP 403"),
    });
    // No rollback: the files went up before the edit failed.
    expect((await dbfsStatus(`${dirOf(OWNER)}/initScript.sh`)).status).toBe(200);
    expect((await cluster(ATTACH_ONLY_CLUSTER)).custom_tags ?? {}).not.toHaveProperty("hopsworks_user");
  });

  test("a cluster in RESTARTING: Databricks' INVALID_STATE on edit surfaces as 270125", async () => {
    freezeSandboxClock(h.databricks);
    expect((await h.databricks.call("POST", "/api/2.0/clusters/restart", { token: ADMIN_TOKEN, body: { cluster_id: MANAGED_CLUSTER } })).status).toBe(200);
    const res = await configure(MANAGED_CLUSTER);
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ errorCode: 270125, usrMsg: `Cluster ${MANAGED_CLUSTER} is in unexpected state Restarting.` });
    expect(res.body.devMsg).toContain("INVALID_STATE");
  });

  test("an injected 500 on clusters/edit is 270125; nothing is retried or rolled back; the next try succeeds", async () => {
    h.databricks.sandbox.control.addFault({ route: "POST /api/2.0/clusters/edit", kind: "status", status: 500, count: 1 });
    const since = lastSeq();
    const res = await configure(TERMINATED_CLUSTER);
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ errorCode: 270125, usrMsg: "The service is temporarily unavailable." });
    const calls = databricksCalls(since);
    expect(calls.at(-1)).toBe("POST clusters/edit 500");
    expect(calls.filter((c) => c.startsWith("POST clusters/edit"))).toHaveLength(1);
    expect((await cluster(TERMINATED_CLUSTER)).state).toBe("TERMINATED");
    expect((await dbfsStatus(ARCHIVE)).status).toBe(200);

    expect((await configure(TERMINATED_CLUSTER)).status).toBe(200);
    expect(h.databricks.sandbox.control.requests().filter((r) => r.path === "/api/2.0/dbfs/add-block")).toHaveLength(3);
  });

  test("an unknown cluster id is Databricks' 400 on the first get, as 270125", async () => {
    const res = await configure("0101-000000-zzzzzzzz");
    expect(res.body).toMatchObject({ errorCode: 270125, usrMsg: "Cluster 0101-000000-zzzzzzzz does not exist" });
  });
});

describe("hopsworks sandbox: configure against a workspace that misbehaves", () => {
  test("a cluster still TERMINATED after the polls is 500 270124; an unreachable workspace is 270125", async () => {
    // A stand-in workspace that accepts everything but never starts the cluster.
    const stub = Fastify();
    let gets = 0;
    stub.get("/api/2.0/clusters/get", async () => {
      gets += 1;
      return { cluster_id: "c1", cluster_name: "stuck", spark_version: "15.4.x-scala2.12", node_type_id: "i3.xlarge", num_workers: 0, state: "TERMINATED" };
    });
    stub.get("/api/2.0/dbfs/get-status", async () => ({ path: "/x", is_dir: false, file_size: 1 }));
    stub.post("/*", async () => ({}));
    const stubUrl = (await stub.listen({ host: "127.0.0.1", port: 0 })).replace("localhost", "127.0.0.1");
    const closed = Fastify();
    const closedUrl = (await closed.listen({ host: "127.0.0.1", port: 0 })).replace("localhost", "127.0.0.1");
    await closed.close();

    const hopsworks = await startHopsworksSandbox({
      seed: hopsworksTestSeed(),
      clock: new ScaledClock(0.001),
      databricksWorkspaces: [
        { host: "stuck.cloud.databricks.com", url: stubUrl },
        { host: "gone.cloud.databricks.com", url: closedUrl },
      ],
    });
    try {
      const inst = hopsworks.instances[0]!;
      const jwt = inst.instance.issueToken(OWNER.email);
      const call = (method: string, path: string, body?: unknown) =>
        fetch(`${inst.url}/hopsworks-api/api/project/${PROJECT_ID}/integrations/databricks/${path}`, {
          method,
          headers: { authorization: `Bearer ${jwt}`, ...(body ? { "content-type": "application/json" } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        }).then(async (r) => ({ status: r.status, body: await r.json() }));
      for (const host of ["stuck.cloud.databricks.com", "gone.cloud.databricks.com"]) {
        expect((await call("POST", host, { apiKey: "sandbox-any-token" })).status).toBe(200);
      }
      const stuck = await call("POST", "stuck.cloud.databricks.com/clusters/c1");
      expect(stuck).toEqual({ status: 500, body: { errorCode: 270124, errorMsg: "Could not start Databricks cluster" } });
      // The first get, then three polls.
      expect(gets).toBe(4);
      const gone = await call("GET", "gone.cloud.databricks.com");
      expect(gone.body).toMatchObject({ errorCode: 270125, usrMsg: "Connect to gone.cloud.databricks.com:443 failed: Connection refused" });
    } finally {
      await Promise.all([hopsworks.close(), stub.close()]);
    }
  });
});
