import Fastify from "fastify";
import { ScaledClock } from "../../../sandbox/common/clock";
import { startHopsworksSandbox } from "../../../sandbox/hopsworks";
import { ADMIN_TOKEN, ALICE_TOKEN, AWS_HOST, freezeSandboxClock } from "../../helpers/databricks-sandbox";
import {
  ATTACH_ONLY_CLUSTER,
  FAMILY_INSTANCES,
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
  startHopsworksTestSandbox,
  editableSpec,
} from "../../helpers/hopsworks-sandbox";

const base = `/project/${PROJECT_ID}/integrations/databricks/${AWS_HOST}`;
const DEFAULT_AWS_ATTRIBUTES = { availability: "SPOT_WITH_FALLBACK", zone_id: "auto", first_on_demand: 1, spot_bid_price_percent: 100 };
const HOST_22 = FAMILY_INSTANCES[0].host;
const HOST_36 = FAMILY_INSTANCES[1].host;
const HOST_37 = FAMILY_INSTANCES[2].host;

describe("hopsworks sandbox: configuring a Databricks cluster, by release family", () => {
  let h: HopsworksHarness;
  const jwts: Record<string, string> = {};
  beforeEach(async () => {
    h = await startHopsworksTestSandbox({ families: true });
    for (const f of FAMILY_INSTANCES) {
      jwts[f.host] = await h.login(OWNER, f.host);
      expect((await h.call("POST", base, { jwt: jwts[f.host], body: { apiKey: ALICE_TOKEN }, host: f.host })).status).toBe(200);
    }
  });
  afterEach(async () => h.close());

  const instanceOf = (host: string) => h.hopsworks.instances.find((i) => i.host === host)!.instance;
  const cluster = async (id: string) => (await h.databricks.call("GET", `/api/2.0/clusters/get?cluster_id=${id}`)).body;
  const dbfsStatus = (path: string) => h.databricks.call("GET", `/api/2.0/dbfs/get-status?path=${encodeURIComponent(path)}`);
  const dbfsText = async (path: string) => {
    const res = await h.databricks.call("GET", `/api/2.0/dbfs/read?path=${encodeURIComponent(path)}`);
    expect(res.status).toBe(200);
    return Buffer.from(res.body.data, "base64");
  };
  const libraries = async (id: string) =>
    ((await h.databricks.call("GET", `/api/2.0/libraries/cluster-status?cluster_id=${id}`)).body.library_statuses ?? []) as {
      library: any;
      status: string;
      messages?: string[];
    }[];
  const databricksCalls = (since: number) =>
    h.databricks.sandbox.control
      .requests(since)
      .map((r) => `${r.method} ${r.path.replace(/^\/api\/2\.0\//, "")}${r.status && r.status >= 300 ? ` ${r.status}` : ""}`);
  const lastSeq = () => h.databricks.sandbox.control.requests().at(-1)?.seq ?? 0;
  const configure = (clusterId: string, options: { host?: string; as?: string; username?: string } = {}) => {
    const host = options.host ?? HOPSWORKS_HOST;
    return h.call("POST", `${base}/clusters/${clusterId}${options.username !== undefined ? `?username=${options.username}` : ""}`, {
      jwt: options.as ?? jwts[host],
      host,
    });
  };
  /** Collapses the create/add-block/close streams, which depend on file sizes. */
  const shape = (calls: string[]) => calls.filter((c) => c !== "POST dbfs/add-block");

  test("GET /variables/versions (no login) names each instance's release", async () => {
    for (const f of FAMILY_INSTANCES) {
      const res = await h.call("GET", "/variables/versions", { host: f.host });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(expect.arrayContaining([{ software: "hopsworks", version: f.version }]));
    }
  });

  test("family A (2.2), TERMINATED cluster: init script, key material, one archive; init scripts replaced, metastore keys, no Kryo; hops and hsfs", async () => {
    const addr = instanceOf(HOST_22).internalAddress;
    expect(addr).not.toBe(HOST_22);
    const since = lastSeq();
    const res = await configure(TERMINATED_CLUSTER, { host: HOST_22 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: TERMINATED_CLUSTER, project: PROJECT, user: { href: expect.stringMatching(/\/users\/\d+$/) } });
    expect(res.body.user).not.toHaveProperty("username");
    expect(shape(databricksCalls(since))).toEqual([
      "GET clusters/get",
      "POST dbfs/put",
      "POST dbfs/put",
      "POST dbfs/put",
      "POST dbfs/put",
      "GET dbfs/get-status 404",
      "POST dbfs/create",
      "POST dbfs/close",
      "POST clusters/edit",
      "POST clusters/start",
      "GET clusters/get",
      "POST libraries/install",
      "GET clusters/get",
    ]);
    const dir = `/hopsworks/${addr}/${PROJECT}__${OWNER.username}`;
    expect((await dbfsStatus(`/hopsworks/${addr}/clients.tar.gz`)).body).toMatchObject({ file_size: 2.5 * 1024 * 1024 });
    expect((await dbfsText(`${dir}/initScript.sh`)).toString("utf8")).toContain(`ARCHIVE=/dbfs/hopsworks/${addr}/clients.tar.gz`);
    const after = await cluster(TERMINATED_CLUSTER);
    expect(after.init_scripts).toEqual([{ dbfs: { destination: `dbfs://${dir}/initScript.sh` } }]);
    expect(after.spark_conf).not.toHaveProperty("spark.serializer");
    expect(after.spark_conf["spark.hadoop.hive.metastore.uris"]).toBe(`thrift://${addr}:9083`);
    expect(after.spark_conf["spark.hadoop.hops.ssl.keystore.name"]).toBe(`/dbfs${dir}/${PROJECT}__${OWNER.username}__kstore.jks`);
    // Lossy: policy and access mode are not modelled before 3.7; the AWS attributes are.
    expect(after).not.toHaveProperty("policy_id");
    expect(after).not.toHaveProperty("data_security_mode");
    expect((await libraries(TERMINATED_CLUSTER)).map((l) => l.library)).toEqual([{ pypi: { package: "hops~=2.2.0.0" } }, { pypi: { package: "hsfs~=2.2.0" } }]);
    await eventually(async () => (await libraries(TERMINATED_CLUSTER)).every((l) => l.status === "INSTALLED"));
  });

  test("family B (3.6), RUNNING cluster: client files one by one, Hive-only init script, metastore keys, Kryo; hsfs~=3.6.0 FAILED (PyPI has none), the jars (not Hive) installed", async () => {
    const addr = instanceOf(HOST_36).internalAddress;
    const since = lastSeq();
    const res = await configure(MANAGED_CLUSTER, { host: HOST_36 });
    expect(res.status).toBe(200);
    const calls = shape(databricksCalls(since));
    expect(calls.filter((c) => c === "POST dbfs/create")).toHaveLength(4);
    expect(calls.indexOf("POST clusters/edit")).toBeGreaterThan(calls.lastIndexOf("POST dbfs/put"));
    expect(calls).not.toContain("POST clusters/start");
    const script = (await dbfsText(`/hopsworks/${addr}/${PROJECT}__${OWNER.username}/initScript.sh`)).toString("utf8");
    expect(script).toMatch(/^#!\/bin\/sh\nsleep 10\ntar -xf \/dbfs\/hopsworks\/.*apache-hive-\*-bin\.tar\.gz/);
    const after = await cluster(MANAGED_CLUSTER);
    // The user's workspace init script is replaced; the AWS attributes survive (DbCluster models them).
    expect(after.init_scripts).toEqual([{ dbfs: { destination: `dbfs:///hopsworks/${addr}/${PROJECT}__${OWNER.username}/initScript.sh` } }]);
    expect(after.aws_attributes).not.toEqual(DEFAULT_AWS_ATTRIBUTES);
    expect(after.spark_conf).toMatchObject({
      "spark.serializer": "org.apache.spark.serializer.KryoSerializer",
      "spark.sql.hive.metastore.jars": "/hopsworks_metastore_jar/lib/*",
    });
    const libs = (await libraries(MANAGED_CLUSTER)).map((l) => l.library);
    expect(libs[0]).toEqual({ pypi: { package: "hsfs~=3.6.0" } });
    expect(libs.slice(1).map((l) => l.jar)).toEqual([
      `dbfs:///hopsworks/${addr}/hops-hadoop-client-3.6.0.jar`,
      `dbfs:///hopsworks/${addr}/hsfs-spark-3.6.0.jar`,
      `dbfs:///hopsworks/${addr}/hudi-spark-bundle-0.10.0.3.6.0.jar`,
    ]);
    await eventually(async () => (await libraries(MANAGED_CLUSTER)).every((l) => l.status === "INSTALLED" || l.status === "FAILED"));
    const statuses = await libraries(MANAGED_CLUSTER);
    expect(statuses[0]).toMatchObject({ status: "FAILED", messages: [expect.stringContaining("No matching distribution found for hsfs~=3.6.0")] });
    expect(statuses.slice(1).map((l) => l.status)).toEqual(["INSTALLED", "INSTALLED", "INSTALLED"]);

    // A second configure uploads nothing: every file is there.
    const again = lastSeq();
    await eventually(async () => (await cluster(MANAGED_CLUSTER)).state === "RUNNING");
    expect((await configure(MANAGED_CLUSTER, { host: HOST_36 })).status).toBe(200);
    expect(databricksCalls(again).filter((c) => c === "POST dbfs/create")).toEqual([]);
  });

  test("family C (3.7), TERMINATED cluster: jars only, no init script, no metastore keys; access mode kept, policy dropped; hsfs~=3.7.0 and two jars", async () => {
    const addr = instanceOf(HOST_37).internalAddress;
    const since = lastSeq();
    expect((await configure(TERMINATED_CLUSTER, { host: HOST_37 })).status).toBe(200);
    const calls = shape(databricksCalls(since));
    expect(calls.filter((c) => c === "POST dbfs/create")).toHaveLength(2);
    expect(calls.filter((c) => c === "POST dbfs/put")).toHaveLength(3);
    const after = await cluster(TERMINATED_CLUSTER);
    expect(after).not.toHaveProperty("init_scripts");
    expect(after.spark_conf).not.toHaveProperty("spark.hadoop.hive.metastore.uris");
    expect(after.spark_conf).not.toHaveProperty("spark.sql.hive.metastore.jars");
    expect(after).toMatchObject({ data_security_mode: "SINGLE_USER", single_user_name: "alice@example.com" });
    expect(after).not.toHaveProperty("policy_id");
    expect((await dbfsStatus(`/hopsworks/${addr}/apache-hive-3.0.0.10-bin.tar.gz`)).status).toBe(404);
    expect((await libraries(TERMINATED_CLUSTER)).map((l) => l.library)).toEqual([
      { pypi: { package: "hsfs~=3.7.0" } },
      { jar: `dbfs:///hopsworks/${addr}/hops-hadoop-client-3.7.0.jar` },
      { jar: `dbfs:///hopsworks/${addr}/hsfs-spark-3.7.0.jar` },
    ]);
    await eventually(async () => (await libraries(TERMINATED_CLUSTER)).every((l) => l.status === "INSTALLED"));
  });

  test("family C keeps the cluster's own workspace init script; an s3 entry comes back as {} and Databricks refuses the edit (270125, raw body, no devMsg)", async () => {
    expect((await configure(MANAGED_CLUSTER, { host: HOST_37 })).status).toBe(200);
    expect((await cluster(MANAGED_CLUSTER)).init_scripts).toEqual([{ workspace: { destination: "/Users/alice@example.com/init/setup.sh" } }]);
    await eventually(async () => (await cluster(MANAGED_CLUSTER)).state === "RUNNING");
    const spec = await cluster(MANAGED_CLUSTER);
    const editable = editableSpec(spec);
    editable.init_scripts = [...editable.init_scripts, { s3: { destination: "s3://bucket/init.sh", region: "us-west-2" } }];
    expect((await h.databricks.call("POST", "/api/2.0/clusters/edit", { token: ADMIN_TOKEN, body: editable })).status).toBe(200);
    await eventually(async () => (await cluster(MANAGED_CLUSTER)).state === "RUNNING");
    const res = await configure(MANAGED_CLUSTER, { host: HOST_37 });
    expect(res.status).toBe(500);
    expect(res.body.errorCode).toBe(270125);
    expect(JSON.parse(res.body.usrMsg)).toMatchObject({ error_code: "INVALID_PARAMETER_VALUE", message: expect.stringContaining("init_scripts[1]") });
    expect(res.body).not.toHaveProperty("devMsg");
  });

  test("4.2 (family C): Hopsworks asks for hsfs~=4.2.0, which PyPI does not have: Databricks marks it FAILED with pip's message", async () => {
    expect((await configure(TERMINATED_CLUSTER)).status).toBe(200);
    await eventually(async () => (await libraries(TERMINATED_CLUSTER)).every((l) => l.status === "INSTALLED" || l.status === "FAILED"));
    const hsfs = (await libraries(TERMINATED_CLUSTER)).find((l) => l.library.pypi?.package === HSFS_REQUIREMENT)!;
    expect(hsfs.status).toBe("FAILED");
    expect(hsfs.messages![0]).toMatch(/DRIVER_LIBRARY_INSTALLATION_FAILURE.*Could not find a version that satisfies the requirement hsfs~=4\.2\.0/s);
  });

  test("two first configures of one workspace at once collide on the client upload (overwrite:false): one fails with RESOURCE_ALREADY_EXISTS", async () => {
    const [a, b] = await Promise.all([configure(MANAGED_CLUSTER, { host: HOST_37 }), configure(TERMINATED_CLUSTER, { host: HOST_37 })]);
    const failed = [a, b].filter((r) => r.status !== 200);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.body).toMatchObject({ errorCode: 270125, usrMsg: expect.stringContaining("RESOURCE_ALREADY_EXISTS") });
  });

  test("a Data owner configures for another member: certificates and tags are the member's, the PAT the owner's", async () => {
    const res = await configure(MANAGED_CLUSTER, { username: SCIENTIST.username });
    expect(res.status).toBe(200);
    const addr = instanceOf(HOPSWORKS_HOST).internalAddress;
    const after = await cluster(MANAGED_CLUSTER);
    expect(after.custom_tags.hopsworks_user).toBe(SCIENTIST.username);
    const prefix = `/hopsworks/${addr}/${PROJECT}__${SCIENTIST.username}/${PROJECT}__${SCIENTIST.username}`;
    expect(after.spark_conf["spark.hadoop.hops.ssl.keystore.name"]).toBe(`/dbfs${prefix}__kstore.jks`);
    expect((await dbfsStatus(`${prefix}__cert.key`)).status).toBe(200);
    expect(h.hopsworks.instances[0]!.instance.registrations(SCIENTIST.email)).toEqual([]);
    // Only the list expands the user.
    const listed = await h.call("GET", base, { jwt: jwts[HOPSWORKS_HOST] });
    expect(listed.body.items.find((c: { id: string }) => c.id === MANAGED_CLUSTER).user).toMatchObject({
      username: SCIENTIST.username,
      email: SCIENTIST.email,
    });
  });

  test("refusals before any Databricks call: scientist for another user 422, unknown user 160001, non-member 160053, unregistered 160048", async () => {
    const jwt = jwts[HOPSWORKS_HOST]!;
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
    expect(unknown.body).toEqual({ errorCode: 160001, errorMsg: "User does not exist.", usrMsg: "Cannot find user with username: ghost" });
    const outsider = await configure(MANAGED_CLUSTER, { username: OUTSIDER.username });
    expect(outsider.body).toEqual({
      errorCode: 160053,
      errorMsg: "Role not found",
      usrMsg: `Cannot find role for user: ${OUTSIDER.username} in project: ${PROJECT}`,
    });
    await h.call("DELETE", base, { jwt });
    expect(await configure(MANAGED_CLUSTER)).toMatchObject({ status: 404, body: { errorCode: 160048 } });
    expect(databricksCalls(since)).toEqual([]);
  });

  test("a PAT without Can Manage: 500 270125 with Databricks' raw answer as usrMsg, earlier uploads left in place", async () => {
    const res = await configure(ATTACH_ONLY_CLUSTER, { host: HOST_22 });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ errorCode: 270125, errorMsg: "Error communicating with Databricks", usrMsg: expect.any(String) });
    expect(JSON.parse(res.body.usrMsg)).toMatchObject({
      error_code: "PERMISSION_DENIED",
      message: `User alice@example.com does not have Manage permissions on cluster ${ATTACH_ONLY_CLUSTER}.`,
    });
    expect((await dbfsStatus(`/hopsworks/${instanceOf(HOST_22).internalAddress}/${PROJECT}__${OWNER.username}/initScript.sh`)).status).toBe(200);
    expect((await cluster(ATTACH_ONLY_CLUSTER)).custom_tags ?? {}).not.toHaveProperty("hopsworks_user");
  });

  test("a cluster in RESTARTING: Databricks' INVALID_STATE on edit surfaces as 270125", async () => {
    freezeSandboxClock(h.databricks);
    expect((await h.databricks.call("POST", "/api/2.0/clusters/restart", { token: ADMIN_TOKEN, body: { cluster_id: MANAGED_CLUSTER } })).status).toBe(200);
    const res = await configure(MANAGED_CLUSTER);
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ errorCode: 270125, usrMsg: expect.stringContaining(`Cluster ${MANAGED_CLUSTER} is in unexpected state Restarting.`) });
    expect(res.body.usrMsg).toContain("INVALID_STATE");
  });

  test("an injected 500 on clusters/edit is 270125; nothing is retried or rolled back; the next try succeeds", async () => {
    h.databricks.sandbox.control.addFault({ route: "POST /api/2.0/clusters/edit", kind: "status", status: 500, count: 1 });
    const since = lastSeq();
    const res = await configure(TERMINATED_CLUSTER);
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ errorCode: 270125, usrMsg: expect.stringContaining("The service is temporarily unavailable.") });
    const calls = databricksCalls(since);
    expect(calls.at(-1)).toBe("POST clusters/edit 500");
    expect(calls.filter((c) => c.startsWith("POST clusters/edit"))).toHaveLength(1);
    expect((await cluster(TERMINATED_CLUSTER)).state).toBe("TERMINATED");
    expect((await configure(TERMINATED_CLUSTER)).status).toBe(200);
  });

  test("an unknown cluster id is Databricks' 400 on the first get, as 270125", async () => {
    const res = await configure("0101-000000-zzzzzzzz");
    expect(res.body).toMatchObject({ errorCode: 270125, usrMsg: expect.stringContaining("Cluster 0101-000000-zzzzzzzz does not exist") });
  });

  test("a hopsworks_project_id tag that is not a number fails the cluster call with 422 (Integer.valueOf)", async () => {
    expect((await configure(MANAGED_CLUSTER)).status).toBe(200);
    await eventually(async () => (await cluster(MANAGED_CLUSTER)).state === "RUNNING");
    const spec = await cluster(MANAGED_CLUSTER);
    const editable = editableSpec(spec);
    editable.custom_tags = { ...editable.custom_tags, hopsworks_project_id: "fraud" };
    expect((await h.databricks.call("POST", "/api/2.0/clusters/edit", { token: ADMIN_TOKEN, body: editable })).status).toBe(200);
    const res = await h.call("GET", `${base}/clusters/${MANAGED_CLUSTER}`, { jwt: jwts[HOPSWORKS_HOST] });
    expect(res).toMatchObject({ status: 422, body: { errorCode: 120001 } });
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
      // A site logging at DEV level: devMsg reaches the client.
      seed: { instances: hopsworksTestSeed().instances!.map((i) => ({ ...i, restLogLevel: "DEV" as const })) },
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
      // The first get, then five polls (5 s apart, scaled).
      expect(gets).toBe(6);
      const gone = await call("GET", "gone.cloud.databricks.com");
      expect(gone.body).toMatchObject({
        errorCode: 270125,
        usrMsg: "Connect to gone.cloud.databricks.com:443 failed: Connection refused",
        devMsg: expect.stringContaining("GET https://gone.cloud.databricks.com"),
      });
    } finally {
      await Promise.all([hopsworks.close(), stub.close()]);
    }
  });
});
