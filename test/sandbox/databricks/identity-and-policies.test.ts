import { ADMIN_TOKEN, ALICE_TOKEN, AWS_HOST, eventually, startTestSandbox, testSeed, type SandboxHarness } from "../../helpers/databricks-sandbox";

const RUNNING = "0101-000000-aaaaaaaa";
const TERMINATED = "0101-000000-bbbbbbbb";
const POLICY = "A1B2C3D4E5F60001";

/** The test seed plus a policy, a lifetime cap and an HTML-speaking front end on the Azure workspace. */
function seed() {
  const s = testSeed();
  const aws = s.workspaces[0]!;
  aws.maxTokenLifetimeDays = 90;
  aws.policies = [
    {
      policy_id: POLICY,
      name: "Team clusters",
      definition: JSON.stringify({
        "custom_tags.team": { type: "fixed", value: "data" },
        "spark_conf.spark.databricks.io.cache.enabled": { type: "forbidden" },
        autotermination_minutes: { type: "range", maxValue: 120, defaultValue: 45 },
        "init_scripts.*.dbfs.destination": { type: "forbidden" },
      }),
    },
  ];
  s.workspaces[1]!.invalidTokenForm = "html";
  return s;
}

describe("databricks sandbox: identity, invalid tokens, token settings", () => {
  let h: SandboxHarness;
  beforeAll(async () => {
    h = await startTestSandbox({ seed: seed() });
  });
  afterAll(async () => h.close());

  test("the HTML form of the invalid-token answer is still 403 with the reason header", async () => {
    const res = await fetch(`${h.url("adb-1234567890123456.7.azuredatabricks.net")}/api/2.1/clusters/list`, {
      headers: { authorization: "Bearer dapi-revoked" },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.headers.get("x-databricks-reason-phrase")).toBe("Invalid access token.");
    const html = await res.text();
    expect(html).toContain("<title>Error 403 Invalid access token.</title>");
    expect(html).toContain("Problem accessing /api/2.1/clusters/list");
  });

  test("/.well-known/databricks-config answers without a credential", async () => {
    const res = await fetch(`${h.url()}/.well-known/databricks-config`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ oidc_endpoint: `https://${AWS_HOST}/oidc`, workspace_id: "4242424242424242", cloud: "AWS" });
  });

  test("SCIM Me names the caller and its groups; a revoked token is 403 there too", async () => {
    const me = await h.call("GET", "/api/2.0/preview/scim/v2/Me", { token: ALICE_TOKEN });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ userName: "alice@example.com", active: true, id: expect.stringMatching(/^\d+$/) });
    expect(me.body.groups.map((g: { display: string }) => g.display)).toEqual(["users"]);
    const admin = await h.call("GET", "/api/2.0/preview/scim/v2/Me");
    expect(admin.body.groups.map((g: { display: string }) => g.display)).toEqual(["admins", "users"]);

    const created = await h.call("POST", "/api/2.0/token/create", { token: ALICE_TOKEN, body: { lifetime_seconds: 600 } });
    await h.call("POST", "/api/2.0/token/delete", { token: ALICE_TOKEN, body: { token_id: created.body.token_info.token_id } });
    const revoked = await h.call("GET", "/api/2.0/preview/scim/v2/Me", { token: created.body.token_value });
    expect(revoked.status).toBe(403);
    expect(revoked.body.error_code).toBe(403);
  });

  test("the workspace's maximum lifetime: a longer request is refused, no lifetime gets the cap", async () => {
    expect((await h.call("GET", "/api/2.0/workspace-conf?keys=maxTokenLifetimeDays")).body).toEqual({ maxTokenLifetimeDays: "90" });
    const tooLong = await h.call("POST", "/api/2.0/token/create", { body: { lifetime_seconds: 365 * 86400 } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect(tooLong.body.message).toMatch(/365 days.*maximum lifetime of 90 days/);
    const capped = await h.call("POST", "/api/2.0/token/create", { body: {} });
    expect(capped.body.token_info.expiry_time - capped.body.token_info.creation_time).toBe(90 * 86400 * 1000);
    expect((await h.call("PATCH", "/api/2.0/workspace-conf", { token: ALICE_TOKEN, body: { maxTokenLifetimeDays: "30" } })).status).toBe(403);
  });

  test("token management: admins list, get and delete anyone's tokens; others are refused", async () => {
    const alices = await h.call("POST", "/api/2.0/token/create", { token: ALICE_TOKEN, body: { comment: "alice's", lifetime_seconds: 600 } });
    const id = alices.body.token_info.token_id;
    const listed = await h.call("GET", "/api/2.0/token-management/tokens?created_by_username=alice@example.com");
    expect(listed.body.token_infos.map((t: { token_id: string }) => t.token_id)).toContain(id);
    expect(listed.body.token_infos.every((t: { created_by_username: string }) => t.created_by_username === "alice@example.com")).toBe(true);
    expect((await h.call("GET", `/api/2.0/token-management/tokens/${id}`)).body.token_info).toMatchObject({ token_id: id, comment: "alice's" });
    expect((await h.call("GET", "/api/2.0/token-management/tokens", { token: ALICE_TOKEN })).status).toBe(403);
    expect((await h.call("DELETE", `/api/2.0/token-management/tokens/${id}`)).status).toBe(200);
    expect((await h.call("GET", "/api/2.0/token/list", { token: alices.body.token_value })).status).toBe(403);
    expect((await h.call("DELETE", `/api/2.0/token-management/tokens/${id}`)).status).toBe(404);
  });

  test("a user's 601st live token is QUOTA_EXCEEDED", async () => {
    const bobsToken = "sandbox-bob-token-aws";
    let last = { status: 0, body: {} as { error_code?: string } };
    for (let i = 0; i < 600; i++) {
      last = await h.call("POST", "/api/2.0/token/create", { token: bobsToken, body: { lifetime_seconds: 3600 } });
      if (last.status !== 200) break;
    }
    // The seed token counts: 599 created, the 600th create is the 601st token.
    expect(last.status).toBe(400);
    expect(last.body.error_code).toBe("QUOTA_EXCEEDED");
  });
});

describe("databricks sandbox: clusters/update, catalog calls, runtime fields, policies", () => {
  let h: SandboxHarness;
  beforeAll(async () => {
    h = await startTestSandbox({ seed: seed() });
  });
  afterAll(async () => h.close());
  const get = async (id: string) => (await h.call("GET", `/api/2.1/clusters/get?cluster_id=${id}`)).body;
  const settled = (id: string) => eventually(async () => ((await get(id)).state === "RUNNING" || (await get(id)).state === "TERMINATED") && get(id));

  test("a RUNNING cluster's get carries driver, executors, Spark context, JDBC port, memory, cores and spec; list does not", async () => {
    const c = await get(RUNNING);
    expect(c.driver).toMatchObject({ private_ip: expect.any(String), node_id: expect.any(String) });
    expect(c.executors).toHaveLength(2);
    expect(c).toMatchObject({ spark_context_id: expect.any(Number), jdbc_port: 10000, cluster_memory_mb: 3 * 31232, cluster_cores: 12 });
    expect(c.spec).toMatchObject({ cluster_name: "shared-running", num_workers: 2 });
    const listed = (await h.call("GET", "/api/2.1/clusters/list")).body.clusters.find((x: { cluster_id: string }) => x.cluster_id === RUNNING);
    expect(listed.driver).toBeUndefined();
    expect(listed.spec).toBeUndefined();
    const t = await get(TERMINATED);
    expect(t.driver).toBeUndefined();
  });

  test("spark-versions, list-node-types, pin and unpin", async () => {
    const versions = (await h.call("GET", "/api/2.1/clusters/spark-versions")).body.versions;
    expect(versions).toContainEqual({ key: "15.4.x-scala2.12", name: expect.stringContaining("15.4 LTS") });
    const nodes = (await h.call("GET", "/api/2.1/clusters/list-node-types")).body.node_types;
    expect(nodes).toContainEqual(expect.objectContaining({ node_type_id: "i3.xlarge", memory_mb: 31232, num_cores: 4 }));
    expect((await h.call("POST", "/api/2.1/clusters/pin", { body: { cluster_id: TERMINATED } })).status).toBe(200);
    expect((await h.call("POST", "/api/2.1/clusters/unpin", { body: { cluster_id: TERMINATED } })).status).toBe(200);
    expect((await h.call("POST", "/api/2.1/clusters/pin", { token: "sandbox-bob-token-aws", body: { cluster_id: RUNNING } })).status).toBe(403);
  });

  test("clusters/update changes only the fields in update_mask and keeps what someone else changed", async () => {
    await h.call("POST", "/api/2.1/clusters/edit", {
      body: {
        cluster_id: TERMINATED,
        cluster_name: "shared-terminated",
        spark_version: "15.4.x-scala2.12",
        node_type_id: "i3.xlarge",
        num_workers: 1,
        spark_conf: { "spark.someone": "else" },
      },
    });
    const updated = await h.call("POST", "/api/2.1/clusters/update", {
      body: { cluster_id: TERMINATED, update_mask: "autotermination_minutes,custom_tags", cluster: { autotermination_minutes: 30 } },
    });
    expect(updated.status).toBe(200);
    const c = await get(TERMINATED);
    expect(c).toMatchObject({ autotermination_minutes: 30, spark_conf: { "spark.someone": "else" }, num_workers: 1, state: "TERMINATED" });
    expect(c.custom_tags).toBeUndefined();
    expect((await h.call("POST", "/api/2.1/clusters/update", { body: { cluster_id: TERMINATED, cluster: {} } })).body.error_code).toBe(
      "INVALID_PARAMETER_VALUE",
    );
    expect((await h.call("POST", "/api/2.1/clusters/update", { body: { cluster_id: TERMINATED, update_mask: "state", cluster: {} } })).body.message).toMatch(
      /state/,
    );
  });

  test("policies: list and get; create applies fixed values and, when asked, defaults; breaking a rule names the field", async () => {
    const list = (await h.call("GET", "/api/2.0/policies/clusters/list")).body;
    expect(list.policies.map((p: { policy_id: string }) => p.policy_id)).toEqual([POLICY]);
    expect((await h.call("GET", `/api/2.0/policies/clusters/get?policy_id=${POLICY}`)).body).toMatchObject({
      name: "Team clusters",
      definition: expect.any(String),
    });
    expect((await h.call("GET", "/api/2.0/policies/clusters/get?policy_id=FFFFFFFFFFFFFFFF")).status).toBe(404);

    const base = { cluster_name: "p", spark_version: "15.4.x-scala2.12", node_type_id: "i3.xlarge", num_workers: 0, policy_id: POLICY };
    const made = await h.call("POST", "/api/2.1/clusters/create", { body: { ...base, apply_policy_default_values: true } });
    const c = await get(made.body.cluster_id);
    expect(c).toMatchObject({ policy_id: POLICY, custom_tags: { team: "data" }, autotermination_minutes: 45 });

    const refusals: [Record<string, unknown>, RegExp][] = [
      [{ custom_tags: { team: "other" } }, /custom_tags\.team.*"data"/],
      [{ spark_conf: { "spark.databricks.io.cache.enabled": "true" } }, /spark_conf\.spark\.databricks\.io\.cache\.enabled, the value cannot be present/],
      [{ autotermination_minutes: 600 }, /autotermination_minutes.*less than or equal to 120/],
      [{ init_scripts: [{ dbfs: { destination: "dbfs:/x.sh" } }] }, /init_scripts\.\*\.dbfs\.destination/],
    ];
    for (const [extra, message] of refusals) {
      const res = await h.call("POST", "/api/2.1/clusters/create", { body: { ...base, ...extra } });
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe("INVALID_PARAMETER_VALUE");
      expect(res.body.message).toMatch(message);
      expect(res.body.message).toContain("Team clusters");
    }
    // Update and edit are policed the same way.
    await settled(made.body.cluster_id);
    const bad = await h.call("POST", "/api/2.1/clusters/update", {
      body: { cluster_id: made.body.cluster_id, update_mask: "spark_conf", cluster: { spark_conf: { "spark.databricks.io.cache.enabled": "true" } } },
    });
    expect(bad.body.message).toMatch(/cannot be present/);
  });

  test("an edit without policy_id (Hopsworks' lossy edit) takes the cluster out of its policy; update puts it back", async () => {
    const made = await h.call("POST", "/api/2.1/clusters/create", {
      body: { cluster_name: "q", spark_version: "15.4.x-scala2.12", node_type_id: "i3.xlarge", num_workers: 0, policy_id: POLICY },
    });
    const id = made.body.cluster_id;
    const before = await settled(id);
    const { policy_id: _dropped, ...rest } = before;
    expect((await h.call("POST", "/api/2.1/clusters/edit", { body: { ...rest, spark_conf: { "spark.hopsworks": "1" } } })).status).toBe(200);
    const after = await settled(id);
    expect(after.policy_id).toBeUndefined();
    expect(after.custom_tags).toEqual({ team: "data" });
    expect(
      (await h.call("POST", "/api/2.1/clusters/update", { body: { cluster_id: id, update_mask: "policy_id", cluster: { policy_id: POLICY } } })).status,
    ).toBe(200);
    expect(await settled(id)).toMatchObject({ policy_id: POLICY, spark_conf: { "spark.hopsworks": "1" } });
  });

  test("the workspace answers a multipart workspace/import (what workspace.upload sends)", async () => {
    const form = new FormData();
    form.append("path", "/Users/admin@example.com/hello.py");
    form.append("format", "AUTO");
    form.append("overwrite", "true");
    form.append("content", new Blob([Buffer.from("print('hi')\n")]), "content");
    const res = await fetch(`${h.url()}/api/2.0/workspace/import`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body: form });
    expect(res.status).toBe(200);
    const exported = await h.call("GET", "/api/2.0/workspace/export?path=/Users/admin@example.com/hello.py&format=SOURCE");
    expect(Buffer.from(exported.body.content, "base64").toString()).toContain("print('hi')");
  });
});
