import { ALICE_TOKEN, BOB_TOKEN, freezeSandboxClock, startTestSandbox, type SandboxHarness } from "../../helpers/databricks-sandbox";

const RUNNING_ID = "0101-000000-aaaaaaaa";
const TERMINATED_ID = "0101-000000-bbbbbbbb";
const spec = { cluster_name: "etl", spark_version: "15.4.x-scala2.12", node_type_id: "i3.xlarge", num_workers: 1 };

describe("databricks sandbox: cluster permissions", () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await startTestSandbox();
  });
  afterEach(async () => h.close());

  const acl = (id: string, token?: string) => h.call("GET", `/api/2.0/permissions/clusters/${id}`, { token });
  const setAcl = (method: "PUT" | "PATCH", id: string, entries: unknown[], token = ALICE_TOKEN) =>
    h.call(method, `/api/2.0/permissions/clusters/${id}`, { token, body: { access_control_list: entries } });
  const clusters = (route: string, body: unknown, token?: string) => h.call("POST", `/api/2.1/clusters/${route}`, { body, token });
  const denied = (level: string, user: string, id: string) => ({
    error_code: "PERMISSION_DENIED",
    message: `User ${user} does not have ${level} permissions on cluster ${id}.`,
  });

  describe("the Permissions API shape", () => {
    test("GET shows direct grants and the admins group's inherited CAN_MANAGE", async () => {
      const res = await acl(RUNNING_ID, ALICE_TOKEN);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        object_id: `/clusters/${RUNNING_ID}`,
        object_type: "cluster",
        access_control_list: [
          { user_name: "alice@example.com", all_permissions: [{ permission_level: "CAN_MANAGE", inherited: false }] },
          { user_name: "bob@example.com", all_permissions: [{ permission_level: "CAN_ATTACH_TO", inherited: false }] },
          { group_name: "admins", all_permissions: [{ permission_level: "CAN_MANAGE", inherited: true, inherited_from_object: ["/clusters/"] }] },
        ],
      });
    });

    test("permissionLevels lists the three cluster levels", async () => {
      const res = await h.call("GET", `/api/2.0/permissions/clusters/${RUNNING_ID}/permissionLevels`, { token: BOB_TOKEN });
      expect(res.status).toBe(200);
      expect(res.body.permission_levels.map((l: { permission_level: string }) => l.permission_level)).toEqual(["CAN_ATTACH_TO", "CAN_RESTART", "CAN_MANAGE"]);
    });

    test("the creator of a new cluster gets CAN_MANAGE; other users see nothing of it", async () => {
      const id = (await clusters("create", spec, BOB_TOKEN)).body.cluster_id;
      const res = await acl(id, BOB_TOKEN);
      expect(res.body.access_control_list[0]).toEqual({
        user_name: "bob@example.com",
        all_permissions: [{ permission_level: "CAN_MANAGE", inherited: false }],
      });
      expect((await h.call("GET", `/api/2.1/clusters/get?cluster_id=${id}`, { token: ALICE_TOKEN })).status).toBe(403);
    });

    test("an unknown cluster is 404 RESOURCE_DOES_NOT_EXIST", async () => {
      const res = await acl("0000-000000-nonexist");
      expect(res.status).toBe(404);
      expect(res.body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    });
  });

  describe("PUT and PATCH", () => {
    test("PATCH sets the level of the named principals and keeps the others", async () => {
      const res = await setAcl("PATCH", RUNNING_ID, [{ user_name: "bob@example.com", permission_level: "CAN_RESTART" }]);
      expect(res.status).toBe(200);
      expect(res.body.access_control_list).toEqual([
        { user_name: "alice@example.com", all_permissions: [{ permission_level: "CAN_MANAGE", inherited: false }] },
        { user_name: "bob@example.com", all_permissions: [{ permission_level: "CAN_RESTART", inherited: false }] },
        expect.objectContaining({ group_name: "admins" }),
      ]);
    });

    test("PUT replaces the whole ACL, the caller's own grant included", async () => {
      const res = await setAcl("PUT", RUNNING_ID, [{ user_name: "bob@example.com", permission_level: "CAN_MANAGE" }]);
      expect(res.status).toBe(200);
      expect(res.body.access_control_list).toEqual([
        { user_name: "bob@example.com", all_permissions: [{ permission_level: "CAN_MANAGE", inherited: false }] },
        expect.objectContaining({ group_name: "admins" }),
      ]);
      expect((await acl(RUNNING_ID, ALICE_TOKEN)).status).toBe(403);
      expect((await acl(RUNNING_ID, BOB_TOKEN)).status).toBe(200);
    });

    test("a grant to the users group applies to every user", async () => {
      expect((await h.call("GET", `/api/2.1/clusters/get?cluster_id=${TERMINATED_ID}`, { token: BOB_TOKEN })).status).toBe(403);
      await setAcl("PATCH", TERMINATED_ID, [{ group_name: "users", permission_level: "CAN_ATTACH_TO" }]);
      expect((await h.call("GET", `/api/2.1/clusters/get?cluster_id=${TERMINATED_ID}`, { token: BOB_TOKEN })).status).toBe(200);
    });

    test("the admins group cannot be lowered; naming it with CAN_MANAGE is accepted", async () => {
      const lowered = await setAcl("PATCH", RUNNING_ID, [{ group_name: "admins", permission_level: "CAN_ATTACH_TO" }]);
      expect(lowered.status).toBe(400);
      expect(lowered.body.error_code).toBe("INVALID_PARAMETER_VALUE");
      const kept = await setAcl("PATCH", RUNNING_ID, [{ group_name: "admins", permission_level: "CAN_MANAGE" }]);
      expect(kept.status).toBe(200);
      expect(kept.body.access_control_list.filter((e: { group_name?: string }) => e.group_name === "admins")).toHaveLength(1);
    });

    const invalid: [string, unknown[], RegExp][] = [
      ["a level clusters do not have", [{ user_name: "bob@example.com", permission_level: "CAN_VIEW" }], /CAN_VIEW/],
      ["an unknown user", [{ user_name: "nobody@example.com", permission_level: "CAN_ATTACH_TO" }], /UserName\(nobody@example.com\) does not exist/],
      ["an unknown group", [{ group_name: "ghosts", permission_level: "CAN_ATTACH_TO" }], /GroupName\(ghosts\) does not exist/],
      ["two principals in one entry", [{ user_name: "bob@example.com", group_name: "users", permission_level: "CAN_ATTACH_TO" }], /Exactly one/],
    ];
    test.each(invalid)("%s is 400 INVALID_PARAMETER_VALUE and changes nothing", async (_name, entries, message) => {
      const res = await setAcl("PUT", RUNNING_ID, entries);
      expect(res.status).toBe(400);
      expect(res.body.error_code).toBe("INVALID_PARAMETER_VALUE");
      expect(res.body.message).toMatch(message);
      expect((await acl(RUNNING_ID, ALICE_TOKEN)).body.access_control_list).toHaveLength(3);
    });
  });

  describe("enforcement", () => {
    test("CAN_ATTACH_TO: get, events, list and library status; nothing that changes the cluster", async () => {
      freezeSandboxClock(h);
      expect((await h.call("GET", `/api/2.1/clusters/get?cluster_id=${RUNNING_ID}`, { token: BOB_TOKEN })).status).toBe(200);
      expect((await clusters("events", { cluster_id: RUNNING_ID }, BOB_TOKEN)).status).toBe(200);
      expect((await h.call("GET", `/api/2.0/libraries/cluster-status?cluster_id=${RUNNING_ID}`, { token: BOB_TOKEN })).status).toBe(200);

      const bob = "bob@example.com";
      expect((await clusters("restart", { cluster_id: RUNNING_ID }, BOB_TOKEN)).body).toEqual(denied("Restart", bob, RUNNING_ID));
      expect((await clusters("delete", { cluster_id: RUNNING_ID }, BOB_TOKEN)).body).toEqual(denied("Restart", bob, RUNNING_ID));
      const edit = await clusters("edit", { cluster_id: RUNNING_ID, ...spec }, BOB_TOKEN);
      expect(edit.status).toBe(403);
      expect(edit.body).toEqual(denied("Manage", bob, RUNNING_ID));
      expect((await clusters("resize", { cluster_id: RUNNING_ID, num_workers: 4 }, BOB_TOKEN)).status).toBe(403);
      expect((await clusters("permanent-delete", { cluster_id: RUNNING_ID }, BOB_TOKEN)).status).toBe(403);
      expect((await acl(RUNNING_ID, BOB_TOKEN)).status).toBe(403);
      expect((await setAcl("PATCH", RUNNING_ID, [{ user_name: bob, permission_level: "CAN_MANAGE" }], BOB_TOKEN)).status).toBe(403);
      const install = await h.call("POST", "/api/2.0/libraries/install", {
        token: BOB_TOKEN,
        body: { cluster_id: RUNNING_ID, libraries: [{ pypi: { package: "requests" } }] },
      });
      expect(install.body).toEqual(denied("Manage", bob, RUNNING_ID));
      expect((await h.call("GET", `/api/2.1/clusters/get?cluster_id=${RUNNING_ID}`)).body.state).toBe("RUNNING");
    });

    test("CAN_RESTART adds start, restart and terminate, but not edit", async () => {
      await setAcl("PATCH", RUNNING_ID, [{ user_name: "bob@example.com", permission_level: "CAN_RESTART" }]);
      expect((await clusters("restart", { cluster_id: RUNNING_ID }, BOB_TOKEN)).status).toBe(200);
      expect((await clusters("edit", { cluster_id: RUNNING_ID, ...spec }, BOB_TOKEN)).status).toBe(403);
      expect((await clusters("delete", { cluster_id: RUNNING_ID }, BOB_TOKEN)).status).toBe(200);
    });

    test("CAN_MANAGE adds edit, permission changes and permanent-delete", async () => {
      await setAcl("PATCH", RUNNING_ID, [{ user_name: "bob@example.com", permission_level: "CAN_MANAGE" }]);
      expect((await clusters("edit", { cluster_id: RUNNING_ID, ...spec }, BOB_TOKEN)).status).toBe(200);
      expect((await setAcl("PATCH", RUNNING_ID, [{ group_name: "users", permission_level: "CAN_ATTACH_TO" }], BOB_TOKEN)).status).toBe(200);
      expect((await clusters("permanent-delete", { cluster_id: RUNNING_ID }, BOB_TOKEN)).status).toBe(200);
    });

    test("no permission: the cluster is hidden from list and get, start is refused", async () => {
      const bob = "bob@example.com";
      const listed = await h.call("GET", "/api/2.1/clusters/list", { token: BOB_TOKEN });
      expect(listed.body.clusters.map((c: { cluster_id: string }) => c.cluster_id)).toEqual([RUNNING_ID]);
      const get = await h.call("GET", `/api/2.1/clusters/get?cluster_id=${TERMINATED_ID}`, { token: BOB_TOKEN });
      expect(get.status).toBe(403);
      expect(get.body).toEqual(denied("Attach To", bob, TERMINATED_ID));
      expect((await clusters("start", { cluster_id: TERMINATED_ID }, BOB_TOKEN)).body).toEqual(denied("Restart", bob, TERMINATED_ID));
      expect((await h.call("GET", `/api/2.0/permissions/clusters/${TERMINATED_ID}/permissionLevels`, { token: BOB_TOKEN })).status).toBe(403);
    });

    test("workspace admins can do anything without a grant", async () => {
      const admin = await h.call("GET", "/api/2.1/clusters/list");
      expect(admin.body.clusters).toHaveLength(2);
      expect((await clusters("start", { cluster_id: TERMINATED_ID })).status).toBe(200);
      expect((await acl(TERMINATED_ID)).status).toBe(200);
      expect((await clusters("permanent-delete", { cluster_id: RUNNING_ID })).status).toBe(200);
    });

    test("the owner keeps CAN_MANAGE on a seeded cluster", async () => {
      expect((await clusters("edit", { cluster_id: TERMINATED_ID, ...spec }, ALICE_TOKEN)).status).toBe(200);
    });
  });
});
