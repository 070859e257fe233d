import {
  ALICE_TOKEN,
  AZURE_ADMIN_TOKEN,
  AZURE_HOST,
  eventually,
  freezeSandboxClock,
  startTestSandbox,
  type SandboxHarness,
} from "../../helpers/databricks-sandbox";

const RUNNING_ID = "0101-000000-aaaaaaaa";
const TERMINATED_ID = "0101-000000-bbbbbbbb";
const MINUTE = 60_000;

const baseSpec = { cluster_name: "etl", spark_version: "15.4.x-scala2.12", node_type_id: "i3.xlarge", num_workers: 1 };

describe("databricks sandbox: clusters", () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await startTestSandbox();
  });
  afterEach(async () => h.close());

  const get = (id: string, token?: string) => h.call("GET", `/api/2.1/clusters/get?cluster_id=${id}`, { token });
  const post = (route: string, body: unknown, token?: string) => h.call("POST", `/api/2.1/clusters/${route}`, { body, token });
  const stateOf = async (id: string) => (await get(id)).body.state as string;
  const waitFor = (id: string, state: string) => eventually(async () => (await stateOf(id)) === state);
  const create = async (spec: Record<string, unknown> = baseSpec, token?: string): Promise<string> => {
    const res = await post("create", spec, token);
    expect(res.status).toBe(200);
    return res.body.cluster_id;
  };
  const eventTypes = async (id: string, extra: Record<string, unknown> = {}) =>
    ((await post("events", { cluster_id: id, ...extra })).body.events as { type: string }[]).map((e) => e.type);

  describe("seeded clusters and get", () => {
    test("a running seed reads back with its spec and the read-only fields", async () => {
      const res = await get(RUNNING_ID);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        cluster_id: RUNNING_ID,
        cluster_name: "shared-running",
        spark_version: "15.4.x-scala2.12",
        node_type_id: "i3.xlarge",
        driver_node_type_id: "i3.xlarge",
        num_workers: 2,
        state: "RUNNING",
        creator_user_name: "alice@example.com",
        cluster_source: "UI",
        start_time: expect.any(Number),
        default_tags: { Vendor: "Databricks", Creator: "alice@example.com", ClusterName: "shared-running", ClusterId: RUNNING_ID },
        aws_attributes: expect.objectContaining({ availability: expect.any(String) }),
      });
      expect(res.body).not.toHaveProperty("termination_reason");
      expect(res.body).not.toHaveProperty("owner");
      expect(res.body).not.toHaveProperty("acl");
    });

    test("a terminated seed carries terminated_time and a USER_REQUEST termination reason", async () => {
      const res = await get(TERMINATED_ID);
      expect(res.body).toMatchObject({
        state: "TERMINATED",
        terminated_time: expect.any(Number),
        termination_reason: { code: "USER_REQUEST", type: "SUCCESS" },
      });
    });

    test("the /api/2.0 paths serve the same clusters", async () => {
      const id = (await h.call("POST", "/api/2.0/clusters/create", { body: baseSpec })).body.cluster_id;
      expect((await h.call("GET", `/api/2.0/clusters/get?cluster_id=${id}`)).body.cluster_id).toBe(id);
      expect((await get(id)).body.cluster_name).toBe("etl");
    });

    test("Azure workspaces default azure_attributes instead of aws_attributes", async () => {
      const res = await h.call("POST", "/api/2.1/clusters/create", {
        host: AZURE_HOST,
        token: AZURE_ADMIN_TOKEN,
        body: { ...baseSpec, node_type_id: "Standard_DS3_v2" },
      });
      const got = await h.call("GET", `/api/2.1/clusters/get?cluster_id=${res.body.cluster_id}`, { host: AZURE_HOST, token: AZURE_ADMIN_TOKEN });
      expect(got.body.azure_attributes).toMatchObject({ availability: "ON_DEMAND_AZURE" });
      expect(got.body).not.toHaveProperty("aws_attributes");
    });
  });

  describe("unknown clusters", () => {
    const calls: [string, (id: string) => [string, string, unknown?]][] = [
      ["get 2.1", (id) => ["GET", `/api/2.1/clusters/get?cluster_id=${id}`]],
      ["get 2.0", (id) => ["GET", `/api/2.0/clusters/get?cluster_id=${id}`]],
      ["edit", (id) => ["POST", "/api/2.1/clusters/edit", { cluster_id: id, ...baseSpec }]],
      ["start", (id) => ["POST", "/api/2.1/clusters/start", { cluster_id: id }]],
      ["restart", (id) => ["POST", "/api/2.1/clusters/restart", { cluster_id: id }]],
      ["resize", (id) => ["POST", "/api/2.1/clusters/resize", { cluster_id: id, num_workers: 2 }]],
      ["delete", (id) => ["POST", "/api/2.1/clusters/delete", { cluster_id: id }]],
      ["permanent-delete", (id) => ["POST", "/api/2.1/clusters/permanent-delete", { cluster_id: id }]],
      ["events", (id) => ["POST", "/api/2.1/clusters/events", { cluster_id: id }]],
    ];
    test.each(calls)("%s of an unknown id is 400 INVALID_PARAMETER_VALUE 'Cluster X does not exist'", async (_name, request) => {
      const [method, path, body] = request("0000-000000-nonexist");
      const res = await h.call(method, path, { body });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error_code: "INVALID_PARAMETER_VALUE", message: "Cluster 0000-000000-nonexist does not exist" });
    });

    test("a missing cluster_id is 400 INVALID_PARAMETER_VALUE naming the field", async () => {
      const res = await post("start", {});
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error_code: "INVALID_PARAMETER_VALUE", message: "Missing required field: cluster_id" });
      expect((await h.call("GET", "/api/2.1/clusters/get")).body.message).toBe("Missing required field: cluster_id");
    });
  });

  describe("create and its validation", () => {
    test("create answers a real-looking id; the cluster is PENDING, then RUNNING after ~4 minutes", async () => {
      const clock = freezeSandboxClock(h);
      const id = await create();
      expect(id).toMatch(/^\d{4}-\d{6}-[a-z0-9]{8}$/);
      const pending = (await get(id)).body;
      expect(pending).toMatchObject({
        state: "PENDING",
        state_message: expect.stringMatching(/.+/),
        creator_user_name: "admin@example.com",
        cluster_source: "API",
      });
      clock.advanceReal(4 * MINUTE - 1000);
      expect(await stateOf(id)).toBe("PENDING");
      clock.advanceReal(2000);
      expect(await get(id)).toMatchObject({ body: { state: "RUNNING", state_message: "" } });
    });

    test("with the scaled real clock a new cluster reaches RUNNING on its own", async () => {
      const id = await create();
      await waitFor(id, "RUNNING");
    });

    test("every spec field is kept and returned, passthrough fields included", async () => {
      const spec = {
        cluster_name: "full",
        spark_version: "15.4.x-photon-scala2.12",
        node_type_id: "i3.xlarge",
        driver_node_type_id: "i3.2xlarge",
        autoscale: { min_workers: 1, max_workers: 4 },
        autotermination_minutes: 30,
        spark_conf: { "spark.databricks.delta.preview.enabled": "true" },
        spark_env_vars: { PYSPARK_PYTHON: "/databricks/python3/bin/python3" },
        custom_tags: { team: "data" },
        init_scripts: [
          { workspace: { destination: "/Users/a/init.sh" } },
          { volumes: { destination: "/Volumes/main/default/v/init.sh" } },
          { dbfs: { destination: "dbfs:/init.sh" } },
          { s3: { destination: "s3://b/init.sh", region: "us-west-2" } },
          { abfss: { destination: "abfss://c@a.dfs.core.windows.net/init.sh" } },
          { gcs: { destination: "gs://b/init.sh" } },
          { file: { destination: "file:/init.sh" } },
        ],
        data_security_mode: "SINGLE_USER",
        single_user_name: "alice@example.com",
        runtime_engine: "PHOTON",
        aws_attributes: { availability: "ON_DEMAND", zone_id: "us-west-2a", first_on_demand: 1 },
        enable_elastic_disk: true,
        ssh_public_keys: ["ssh-ed25519 AAAA"],
      };
      const id = await create(spec);
      const got = (await get(id)).body;
      expect(got).toMatchObject(spec);
    });

    test("server defaults: driver node type from node_type_id, single_user_name from the caller", async () => {
      const id = await create({ ...baseSpec, data_security_mode: "SINGLE_USER" }, ALICE_TOKEN);
      const got = (await get(id, ALICE_TOKEN)).body;
      expect(got).toMatchObject({ driver_node_type_id: "i3.xlarge", single_user_name: "alice@example.com" });
    });

    test("read-only fields in a create body are ignored", async () => {
      const id = await create({ ...baseSpec, cluster_id: "mine", state: "RUNNING", creator_user_name: "x@y" });
      const got = (await get(id)).body;
      expect(got).toMatchObject({ cluster_id: id, state: "PENDING", creator_user_name: "admin@example.com" });
    });

    const invalid: [string, Record<string, unknown>, RegExp][] = [
      ["missing spark_version", { cluster_name: "x", node_type_id: "i3.xlarge", num_workers: 1 }, /spark_version/],
      ["empty spark_version", { ...baseSpec, spark_version: "" }, /spark_version/],
      ["missing node_type_id", { cluster_name: "x", spark_version: "15.4.x-scala2.12", num_workers: 1 }, /node_type_id/],
      ["46 custom tags", { ...baseSpec, custom_tags: Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`t${i}`, "v"])) }, /custom_tags/],
      ["11 init scripts", { ...baseSpec, init_scripts: Array.from({ length: 11 }, () => ({ workspace: { destination: "/a.sh" } })) }, /init_scripts/],
      [
        "an init script with two locations",
        { ...baseSpec, init_scripts: [{ workspace: { destination: "/a.sh" }, dbfs: { destination: "dbfs:/a.sh" } }] },
        /init_scripts\[0\]/,
      ],
      ["an init script without destination", { ...baseSpec, init_scripts: [{ volumes: {} }] }, /destination/],
      ["an init script of unknown kind", { ...baseSpec, init_scripts: [{ ftp: { destination: "ftp://a" } }] }, /init_scripts\[0\]/],
      ["an unknown data_security_mode", { ...baseSpec, data_security_mode: "WIDE_OPEN" }, /data_security_mode/],
      ["an unknown runtime_engine", { ...baseSpec, runtime_engine: "TURBO" }, /runtime_engine/],
      ["a negative num_workers", { ...baseSpec, num_workers: -1 }, /num_workers/],
      ["autoscale max below min", { ...baseSpec, autoscale: { min_workers: 4, max_workers: 2 } }, /autoscale/],
      ["non-string spark_conf values", { ...baseSpec, spark_conf: { a: 1 } }, /spark_conf/],
      ["autotermination of 5 minutes", { ...baseSpec, autotermination_minutes: 5 }, /autotermination_minutes/],
    ];
    test.each(invalid)("%s is 400 INVALID_PARAMETER_VALUE", async (_name, body, message) => {
      const res = await post("create", body);
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe("INVALID_PARAMETER_VALUE");
      expect(res.body.message).toMatch(message);
    });

    test("45 custom tags and 10 init scripts are accepted", async () => {
      const res = await post("create", {
        ...baseSpec,
        custom_tags: Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`t${i}`, "v"])),
        init_scripts: Array.from({ length: 10 }, (_, i) => ({ workspace: { destination: `/s${i}.sh` } })),
      });
      expect(res.status).toBe(200);
    });
  });

  describe("start, restart, terminate", () => {
    test("start on a running cluster is 400 INVALID_STATE with the service's wording", async () => {
      const res = await post("start", { cluster_id: RUNNING_ID });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error_code: "INVALID_STATE", message: `Cluster ${RUNNING_ID} is in unexpected state Running.` });
    });

    test("start on a pending cluster names the Pending state", async () => {
      freezeSandboxClock(h);
      const id = await create();
      expect((await post("start", { cluster_id: id })).body.message).toBe(`Cluster ${id} is in unexpected state Pending.`);
    });

    test("start takes a terminated cluster through PENDING to RUNNING and clears the termination fields", async () => {
      const clock = freezeSandboxClock(h);
      expect((await post("start", { cluster_id: TERMINATED_ID })).status).toBe(200);
      const pending = (await get(TERMINATED_ID)).body;
      expect(pending.state).toBe("PENDING");
      expect(pending).not.toHaveProperty("termination_reason");
      expect(pending).not.toHaveProperty("terminated_time");
      expect(pending.last_restarted_time).toBe(clock.now());
      clock.advanceReal(4 * MINUTE);
      expect(await stateOf(TERMINATED_ID)).toBe("RUNNING");
    });

    test("restart works only on a running cluster: RESTARTING, then RUNNING after ~3 minutes", async () => {
      const clock = freezeSandboxClock(h);
      const refused = await post("restart", { cluster_id: TERMINATED_ID });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({ error_code: "INVALID_STATE", message: `Cluster ${TERMINATED_ID} is in unexpected state Terminated.` });

      expect((await post("restart", { cluster_id: RUNNING_ID })).status).toBe(200);
      expect(await stateOf(RUNNING_ID)).toBe("RESTARTING");
      expect((await post("restart", { cluster_id: RUNNING_ID })).body.message).toBe(`Cluster ${RUNNING_ID} is in unexpected state Restarting.`);
      clock.advanceReal(3 * MINUTE);
      expect(await stateOf(RUNNING_ID)).toBe("RUNNING");
    });

    test("delete terminates (TERMINATING, then TERMINATED with the reason); repeating it is a no-op", async () => {
      const clock = freezeSandboxClock(h);
      expect((await post("delete", { cluster_id: RUNNING_ID })).status).toBe(200);
      expect((await get(RUNNING_ID)).body).toMatchObject({
        state: "TERMINATING",
        termination_reason: { code: "USER_REQUEST", type: "SUCCESS", parameters: { username: "admin@example.com" } },
      });
      const again = await post("delete", { cluster_id: RUNNING_ID });
      expect(again.status).toBe(200);
      expect(again.body).toEqual({});
      clock.advanceReal(MINUTE);
      const terminated = (await get(RUNNING_ID)).body;
      expect(terminated).toMatchObject({ state: "TERMINATED", terminated_time: clock.now() });
      expect((await post("delete", { cluster_id: RUNNING_ID })).status).toBe(200);
      expect(await stateOf(RUNNING_ID)).toBe("TERMINATED");
    });

    test("a pending cluster can be terminated", async () => {
      freezeSandboxClock(h);
      const id = await create();
      expect((await post("delete", { cluster_id: id })).status).toBe(200);
      expect(await stateOf(id)).toBe("TERMINATING");
    });

    test("terminate and start again with the scaled real clock", async () => {
      await post("delete", { cluster_id: RUNNING_ID });
      await waitFor(RUNNING_ID, "TERMINATED");
      expect((await post("start", { cluster_id: RUNNING_ID })).status).toBe(200);
      await waitFor(RUNNING_ID, "RUNNING");
    });
  });

  describe("edit", () => {
    test("editing a running cluster restarts it and applies the new spec", async () => {
      const clock = freezeSandboxClock(h);
      const res = await post("edit", { cluster_id: RUNNING_ID, ...baseSpec, cluster_name: "renamed", num_workers: 5 });
      expect(res.status).toBe(200);
      const restarting = (await get(RUNNING_ID)).body;
      expect(restarting).toMatchObject({ state: "RESTARTING", cluster_name: "renamed", num_workers: 5 });
      expect(restarting.default_tags.ClusterName).toBe("renamed");
      clock.advanceReal(3 * MINUTE);
      expect((await get(RUNNING_ID)).body).toMatchObject({ state: "RUNNING", cluster_name: "renamed", num_workers: 5 });
    });

    test("edit takes the full spec: every omitted field is dropped", async () => {
      const id = await create({
        ...baseSpec,
        spark_conf: { a: "b" },
        custom_tags: { team: "data" },
        autotermination_minutes: 60,
        init_scripts: [{ workspace: { destination: "/a.sh" } }],
      });
      await waitFor(id, "RUNNING");
      expect((await post("edit", { cluster_id: id, spark_version: "16.0.x-scala2.12", node_type_id: "i3.xlarge", num_workers: 1 })).status).toBe(200);
      const got = (await get(id)).body;
      expect(got.spark_version).toBe("16.0.x-scala2.12");
      for (const field of ["cluster_name", "spark_conf", "custom_tags", "autotermination_minutes", "init_scripts"]) expect(got).not.toHaveProperty(field);
    });

    test("edit requires cluster_id and spark_version and validates like create", async () => {
      const noId = await post("edit", baseSpec);
      expect(noId.status).toBe(400);
      expect(noId.body.message).toBe("Missing required field: cluster_id");
      const noVersion = await post("edit", { cluster_id: RUNNING_ID, node_type_id: "i3.xlarge", num_workers: 1 });
      expect(noVersion.status).toBe(400);
      expect(noVersion.body).toEqual({ error_code: "INVALID_PARAMETER_VALUE", message: "Missing required field: spark_version" });
      const tooManyTags = await post("edit", {
        cluster_id: RUNNING_ID,
        ...baseSpec,
        custom_tags: Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`t${i}`, "v"])),
      });
      expect(tooManyTags.status).toBe(400);
      expect(await stateOf(RUNNING_ID)).toBe("RUNNING");
    });

    test("editing a terminated cluster keeps it terminated; the next start uses the new spec", async () => {
      expect((await post("edit", { cluster_id: TERMINATED_ID, ...baseSpec, num_workers: 7 })).status).toBe(200);
      expect((await get(TERMINATED_ID)).body).toMatchObject({ state: "TERMINATED", num_workers: 7, cluster_name: "etl" });
      await post("start", { cluster_id: TERMINATED_ID });
      await waitFor(TERMINATED_ID, "RUNNING");
      expect((await get(TERMINATED_ID)).body.num_workers).toBe(7);
    });

    test("edit in PENDING, RESTARTING or TERMINATING is 400 INVALID_STATE", async () => {
      freezeSandboxClock(h);
      const id = await create();
      const pending = await post("edit", { cluster_id: id, ...baseSpec });
      expect(pending.body).toEqual({ error_code: "INVALID_STATE", message: `Cluster ${id} is in unexpected state Pending.` });
      await post("restart", { cluster_id: RUNNING_ID });
      expect((await post("edit", { cluster_id: RUNNING_ID, ...baseSpec })).body.message).toBe(`Cluster ${RUNNING_ID} is in unexpected state Restarting.`);
      await post("delete", { cluster_id: id });
      expect((await post("edit", { cluster_id: id, ...baseSpec })).body.message).toBe(`Cluster ${id} is in unexpected state Terminating.`);
    });
  });

  describe("resize", () => {
    test("a running cluster resizes through RESIZING back to RUNNING with the new size", async () => {
      const clock = freezeSandboxClock(h);
      expect((await post("resize", { cluster_id: RUNNING_ID, autoscale: { min_workers: 2, max_workers: 8 } })).status).toBe(200);
      const resizing = (await get(RUNNING_ID)).body;
      expect(resizing).toMatchObject({ state: "RESIZING", autoscale: { min_workers: 2, max_workers: 8 } });
      expect(resizing).not.toHaveProperty("num_workers");
      clock.advanceReal(MINUTE);
      expect(await stateOf(RUNNING_ID)).toBe("RUNNING");
    });

    test("resize needs a running cluster and exactly one of num_workers / autoscale", async () => {
      expect((await post("resize", { cluster_id: TERMINATED_ID, num_workers: 3 })).body.error_code).toBe("INVALID_STATE");
      const both = await post("resize", { cluster_id: RUNNING_ID, num_workers: 3, autoscale: { min_workers: 1, max_workers: 2 } });
      expect(both.status).toBe(400);
      expect(both.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    });
  });

  describe("permanent-delete", () => {
    test("removes the cluster from get and list", async () => {
      expect((await post("permanent-delete", { cluster_id: TERMINATED_ID })).status).toBe(200);
      expect((await get(TERMINATED_ID)).body).toEqual({ error_code: "INVALID_PARAMETER_VALUE", message: `Cluster ${TERMINATED_ID} does not exist` });
      const ids = ((await h.call("GET", "/api/2.1/clusters/list")).body.clusters as { cluster_id: string }[]).map((c) => c.cluster_id);
      expect(ids).toEqual([RUNNING_ID]);
      expect((await post("permanent-delete", { cluster_id: TERMINATED_ID })).status).toBe(400);
    });
  });

  describe("list", () => {
    const ids = (body: { clusters?: { cluster_id: string }[] }) => (body.clusters ?? []).map((c) => c.cluster_id);

    test("2.1 pages with page_size / page_token; 2.0 returns everything at once", async () => {
      const created = [await create(), await create(), await create()];
      const all = [RUNNING_ID, TERMINATED_ID, ...created];
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const res = await h.call("GET", `/api/2.1/clusters/list?page_size=2${token ? `&page_token=${token}` : ""}`);
        expect(res.status).toBe(200);
        expect(res.body.clusters.length).toBeLessThanOrEqual(2);
        seen.push(...ids(res.body));
        token = res.body.next_page_token;
        pages += 1;
      } while (token);
      expect(pages).toBe(3);
      expect(seen).toEqual(all);
      const v20 = await h.call("GET", "/api/2.0/clusters/list");
      expect(ids(v20.body)).toEqual(all);
      expect(v20.body).not.toHaveProperty("next_page_token");
    });

    test("list items have the same shape as get, less get's runtime fields and spec", async () => {
      const listed = (await h.call("GET", "/api/2.1/clusters/list")).body.clusters.find((c: { cluster_id: string }) => c.cluster_id === RUNNING_ID);
      const {
        driver: _d,
        executors: _e,
        spark_context_id: _s,
        jdbc_port: _j,
        cluster_memory_mb: _m,
        cluster_cores: _c,
        spec: _spec,
        ...got
      } = (await get(RUNNING_ID)).body;
      expect(listed).toEqual(got);
    });

    test("filter_by in the Python (dotted) and Go (bracketed) query forms", async () => {
      const running = await h.call("GET", "/api/2.1/clusters/list?filter_by.cluster_states=RUNNING");
      expect(ids(running.body)).toEqual([RUNNING_ID]);
      const terminated = await h.call("GET", "/api/2.1/clusters/list?filter_by%5Bcluster_states%5D=TERMINATED");
      expect(ids(terminated.body)).toEqual([TERMINATED_ID]);
      const both = await h.call("GET", "/api/2.1/clusters/list?filter_by.cluster_states=RUNNING&filter_by.cluster_states=TERMINATED");
      expect(ids(both.body)).toEqual([RUNNING_ID, TERMINATED_ID]);
      const apiMade = await create();
      expect(ids((await h.call("GET", "/api/2.1/clusters/list?filter_by.cluster_sources=API")).body)).toEqual([apiMade]);
      expect((await h.call("GET", "/api/2.1/clusters/list?filter_by.cluster_states=SLEEPING")).status).toBe(400);
    });

    test("sort_by CLUSTER_NAME, descending", async () => {
      const res = await h.call("GET", "/api/2.1/clusters/list?sort_by.field=CLUSTER_NAME&sort_by.direction=DESC");
      expect(ids(res.body)).toEqual([TERMINATED_ID, RUNNING_ID]);
    });

    test("nothing to list answers without a clusters field", async () => {
      const res = await h.call("GET", "/api/2.1/clusters/list", { host: AZURE_HOST, token: AZURE_ADMIN_TOKEN });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
    });
  });

  describe("events", () => {
    test("every transition is recorded, newest first by default", async () => {
      const clock = freezeSandboxClock(h);
      const id = await create();
      clock.advanceReal(4 * MINUTE);
      await post("edit", { cluster_id: id, ...baseSpec, num_workers: 3 });
      clock.advanceReal(3 * MINUTE);
      await post("delete", { cluster_id: id });
      clock.advanceReal(MINUTE);
      await post("start", { cluster_id: id });
      clock.advanceReal(4 * MINUTE);
      expect(await eventTypes(id)).toEqual(["RUNNING", "STARTING", "TERMINATING", "RUNNING", "RESTARTING", "EDITED", "RUNNING", "CREATING"]);
      expect(await eventTypes(id, { order: "ASC" })).toEqual(["CREATING", "RUNNING", "EDITED", "RESTARTING", "RUNNING", "TERMINATING", "STARTING", "RUNNING"]);

      const events = (await post("events", { cluster_id: id })).body.events;
      const timestamps = events.map((e: { timestamp: number }) => e.timestamp);
      expect([...timestamps].sort((a, b) => b - a)).toEqual(timestamps);
      const edited = events.find((e: { type: string }) => e.type === "EDITED");
      expect(edited).toMatchObject({
        cluster_id: id,
        details: { user: "admin@example.com", previous_attributes: { num_workers: 1 }, attributes: { num_workers: 3 } },
      });
      expect(events.find((e: { type: string }) => e.type === "TERMINATING").details.reason).toMatchObject({ code: "USER_REQUEST", type: "SUCCESS" });
    });

    test("events are stamped with when the transition happened, not when it was observed", async () => {
      const clock = freezeSandboxClock(h);
      const createdAt = clock.now();
      const id = await create();
      clock.advanceReal(30 * MINUTE);
      const running = (await post("events", { cluster_id: id, event_types: ["RUNNING"] })).body.events;
      expect(running).toHaveLength(1);
      expect(running[0].timestamp).toBe(createdAt + h.sandbox.control.clock.duration(4 * MINUTE));
    });

    test("filters by time window and type; offset/limit paging answers next_page and total_count", async () => {
      const clock = freezeSandboxClock(h);
      const id = await create();
      for (let i = 0; i < 3; i++) {
        clock.advanceReal(4 * MINUTE);
        await post("restart", { cluster_id: id });
      }
      clock.advanceReal(4 * MINUTE);
      // CREATING, RUNNING, then 3 x (RESTARTING, RUNNING): 8 events.
      const first = (await post("events", { cluster_id: id, limit: 3 })).body;
      expect(first.total_count).toBe(8);
      expect(first.events).toHaveLength(3);
      expect(first.next_page).toMatchObject({ cluster_id: id, offset: 3, limit: 3, end_time: expect.any(Number) });
      const collected = [...first.events];
      let next = first.next_page;
      while (next) {
        const page = (await post("events", next)).body;
        collected.push(...page.events);
        next = page.next_page;
      }
      expect(collected.map((e: { type: string }) => e.type)).toEqual(await eventTypes(id));

      expect(await eventTypes(id, { event_types: ["RESTARTING"] })).toEqual(["RESTARTING", "RESTARTING", "RESTARTING"]);
      const createdAt: number = (await post("events", { cluster_id: id, order: "ASC", limit: 1 })).body.events[0].timestamp;
      const windowed = await eventTypes(id, { start_time: createdAt + 1, end_time: createdAt + h.sandbox.control.clock.duration(4 * MINUTE) });
      expect(windowed).toEqual(["RESTARTING", "RUNNING"]);
    });

    test("page_size / page_token paging", async () => {
      const clock = freezeSandboxClock(h);
      const id = await create();
      clock.advanceReal(4 * MINUTE);
      await post("delete", { cluster_id: id });
      const first = (await post("events", { cluster_id: id, page_size: 2 })).body;
      expect(first.events.map((e: { type: string }) => e.type)).toEqual(["TERMINATING", "RUNNING"]);
      expect(first.next_page_token).toEqual(expect.any(String));
      const second = (await post("events", { cluster_id: id, page_size: 2, page_token: first.next_page_token })).body;
      expect(second.events.map((e: { type: string }) => e.type)).toEqual(["CREATING"]);
      expect(second).not.toHaveProperty("next_page_token");
      expect(second.prev_page_token).toEqual(expect.any(String));
    });

    test("bad event requests are 400 INVALID_PARAMETER_VALUE", async () => {
      expect((await post("events", { cluster_id: RUNNING_ID, event_types: ["EXPLODED"] })).status).toBe(400);
      expect((await post("events", {})).body.message).toMatch(/cluster_id/);
      expect((await post("events", { cluster_id: RUNNING_ID, offset: 5 })).body.message).toMatch(/end_time/);
      expect((await post("events", { cluster_id: RUNNING_ID, limit: 501 })).status).toBe(400);
    });
  });

  describe("persistence", () => {
    test("a cluster mid-transition finishes it after the sandbox restarts", async () => {
      await h.close();
      // A larger scale (start takes 2.4 s) so the restart surely lands mid-transition, even on a
      // loaded machine.
      h = await startTestSandbox({ timeScale: 0.01 });
      const id = await create();
      await post("delete", { cluster_id: RUNNING_ID });
      const stateDir = h.stateDir;
      await h.close();

      h = await startTestSandbox({ timeScale: 0.01, stateDir });
      expect(await stateOf(id)).toBe("PENDING");
      await waitFor(id, "RUNNING");
      await waitFor(RUNNING_ID, "TERMINATED");
      expect(await eventTypes(id)).toEqual(["RUNNING", "CREATING"]);
    });
  });
});
