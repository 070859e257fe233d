import { BOB_TOKEN, eventually, freezeSandboxClock, startTestSandbox, type SandboxHarness } from "../../helpers/databricks-sandbox";

const RUNNING_ID = "0101-000000-aaaaaaaa";
const TERMINATED_ID = "0101-000000-bbbbbbbb";
const SECOND = 1000;
const MINUTE = 60 * SECOND;

const requests = { pypi: { package: "requests==2.32.3" } };
const deequ = {
  maven: { coordinates: "com.amazon.deequ:deequ:2.0.7-spark-3.5", repo: "https://repo1.maven.org/maven2", exclusions: ["org.scala-lang:scala-library"] },
};

describe("databricks sandbox: libraries", () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await startTestSandbox();
  });
  afterEach(async () => h.close());

  const install = (clusterId: string, libraries: unknown[], token?: string) =>
    h.call("POST", "/api/2.0/libraries/install", { token, body: { cluster_id: clusterId, libraries } });
  const uninstall = (clusterId: string, libraries: unknown[]) => h.call("POST", "/api/2.0/libraries/uninstall", { body: { cluster_id: clusterId, libraries } });
  const status = (clusterId: string, token?: string) => h.call("GET", `/api/2.0/libraries/cluster-status?cluster_id=${clusterId}`, { token });
  const statuses = async (clusterId: string): Promise<string[]> =>
    ((await status(clusterId)).body.library_statuses ?? []).map((s: { status: string }) => s.status);
  const clusters = (route: string, body: unknown) => h.call("POST", `/api/2.1/clusters/${route}`, { body });

  test("on a running cluster a library goes PENDING, RESOLVING, INSTALLING, INSTALLED", async () => {
    const clock = freezeSandboxClock(h);
    expect((await install(RUNNING_ID, [requests])).status).toBe(200);
    const first = (await status(RUNNING_ID)).body;
    expect(first).toEqual({
      cluster_id: RUNNING_ID,
      library_statuses: [{ library: requests, status: "PENDING", is_library_for_all_clusters: false }],
    });
    clock.advanceReal(2 * SECOND);
    expect(await statuses(RUNNING_ID)).toEqual(["RESOLVING"]);
    clock.advanceReal(5 * SECOND);
    expect(await statuses(RUNNING_ID)).toEqual(["INSTALLING"]);
    clock.advanceReal(10 * SECOND);
    expect(await statuses(RUNNING_ID)).toEqual(["INSTALLED"]);
  });

  test("with the scaled real clock libraries install on their own", async () => {
    await install(RUNNING_ID, [requests, deequ]);
    await eventually(async () => (await statuses(RUNNING_ID)).every((s) => s === "INSTALLED"));
  });

  test("a PyPI requirement resolves against what PyPI has: hsfs~=4.2.0 and hsfs~=3.6.0 end FAILED with pip's message, hsfs~=3.7.0 and hopsworks[python]~=4.2.0 install", async () => {
    const clock = freezeSandboxClock(h);
    const wanted = ["hsfs~=4.2.0", "hsfs~=3.6.0", "hsfs~=3.7.0", "hopsworks[python]~=4.2.0", "hops~=2.2.0.0"].map((p) => ({ pypi: { package: p } }));
    expect((await install(RUNNING_ID, wanted)).status).toBe(200);
    // Resolving first, like any library; the verdict comes when installing would start.
    clock.advanceReal(2 * SECOND);
    expect(await statuses(RUNNING_ID)).toEqual(["RESOLVING", "RESOLVING", "RESOLVING", "RESOLVING", "RESOLVING"]);
    clock.advanceReal(5 * SECOND);
    expect(await statuses(RUNNING_ID)).toEqual(["FAILED", "FAILED", "INSTALLING", "INSTALLING", "INSTALLING"]);
    const failed = (await status(RUNNING_ID)).body.library_statuses[0];
    expect(failed.messages).toEqual([expect.stringContaining("ERROR: No matching distribution found for hsfs~=4.2.0")]);
    expect(failed.messages[0]).toContain("(from versions: 0.0.0.2, 1.4.0, 2.0.0");
    clock.advanceReal(10 * SECOND);
    expect(await statuses(RUNNING_ID)).toEqual(["FAILED", "FAILED", "INSTALLED", "INSTALLED", "INSTALLED"]);
  });

  test("a jar from DBFS installs when the file exists and fails when it does not; dbfs:/ and dbfs:/// name the same file", async () => {
    const clock = freezeSandboxClock(h);
    const put = await h.call("POST", "/api/2.0/dbfs/put", { body: { path: "/libs/app.jar", contents: Buffer.from("PK").toString("base64"), overwrite: true } });
    expect(put.status).toBe(200);
    const jars = [{ jar: "dbfs:/libs/app.jar" }, { jar: "dbfs:///libs/app.jar" }, { jar: "dbfs:///libs/missing.jar" }];
    expect((await install(RUNNING_ID, jars)).status).toBe(200);
    clock.advanceReal(17 * SECOND);
    expect(await statuses(RUNNING_ID)).toEqual(["INSTALLED", "INSTALLED", "FAILED"]);
    expect((await status(RUNNING_ID)).body.library_statuses[2].messages[0]).toContain("java.io.FileNotFoundException: dbfs:/libs/missing.jar");
  });

  test("an uninstall on a TERMINATED cluster takes the library off at once (no run holds it)", async () => {
    expect((await install(TERMINATED_ID, [requests])).status).toBe(200);
    expect(await statuses(TERMINATED_ID)).toEqual(["PENDING"]);
    expect((await uninstall(TERMINATED_ID, [requests])).status).toBe(200);
    expect(await statuses(TERMINATED_ID)).toEqual([]);
  });

  test("every library form is accepted and read back as given", async () => {
    const forms = [
      { pypi: { package: "simplejson", repo: "https://pypi.example.com/simple" } },
      { jar: "/Volumes/main/default/libs/app.jar" },
      { whl: "/Workspace/Shared/libs/app-1.0-py3-none-any.whl" },
      deequ,
      { requirements: "/Workspace/Shared/requirements.txt" },
    ];
    expect((await install(RUNNING_ID, forms)).status).toBe(200);
    const listed = (await status(RUNNING_ID)).body.library_statuses.map((s: { library: unknown }) => s.library);
    expect(listed).toEqual(forms);
  });

  const invalid: [string, unknown][] = [
    ["two kinds in one library", { jar: "/a.jar", whl: "/a.whl" }],
    ["no kind at all", {}],
    ["an unknown kind", { npm: { package: "left-pad" } }],
    ["pypi without package", { pypi: { repo: "https://pypi.org/simple" } }],
    ["maven without coordinates", { maven: {} }],
  ];
  test.each(invalid)("%s is 400 INVALID_PARAMETER_VALUE", async (_name, library) => {
    const res = await install(RUNNING_ID, [library]);
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect((await status(RUNNING_ID)).body).toEqual({ cluster_id: RUNNING_ID });
  });

  test("a request without libraries or cluster_id is 400", async () => {
    expect((await h.call("POST", "/api/2.0/libraries/install", { body: { cluster_id: RUNNING_ID } })).body.message).toMatch(/libraries/);
    expect((await h.call("POST", "/api/2.0/libraries/install", { body: { libraries: [requests] } })).body.message).toMatch(/cluster_id/);
  });

  test("installing what is already installed or pending is a no-op: no duplicate entries", async () => {
    const clock = freezeSandboxClock(h);
    await install(RUNNING_ID, [requests]);
    await install(RUNNING_ID, [{ pypi: { package: "requests==2.32.3" } }, requests]);
    expect(await statuses(RUNNING_ID)).toEqual(["PENDING"]);
    clock.advanceReal(MINUTE);
    // Same library, keys in another order.
    await install(RUNNING_ID, [{ maven: { exclusions: deequ.maven.exclusions, repo: deequ.maven.repo, coordinates: deequ.maven.coordinates } }, requests]);
    await install(RUNNING_ID, [deequ]);
    expect(await statuses(RUNNING_ID)).toEqual(["INSTALLED", "PENDING"]);
  });

  test("on a terminated cluster libraries stay PENDING until it runs, then install", async () => {
    const clock = freezeSandboxClock(h);
    await install(TERMINATED_ID, [requests]);
    clock.advanceReal(30 * MINUTE);
    expect(await statuses(TERMINATED_ID)).toEqual(["PENDING"]);
    await clusters("start", { cluster_id: TERMINATED_ID });
    clock.advanceReal(4 * MINUTE - SECOND);
    expect(await statuses(TERMINATED_ID)).toEqual(["PENDING"]);
    clock.advanceReal(SECOND + 17 * SECOND);
    expect(await statuses(TERMINATED_ID)).toEqual(["INSTALLED"]);
  });

  test("uninstall marks UNINSTALL_ON_RESTART; the library goes at the restart, the others reinstall", async () => {
    const clock = freezeSandboxClock(h);
    await install(RUNNING_ID, [requests, deequ]);
    clock.advanceReal(MINUTE);
    expect((await uninstall(RUNNING_ID, [requests])).status).toBe(200);
    expect(await statuses(RUNNING_ID)).toEqual(["UNINSTALL_ON_RESTART", "INSTALLED"]);
    clock.advanceReal(30 * MINUTE);
    expect(await statuses(RUNNING_ID)).toEqual(["UNINSTALL_ON_RESTART", "INSTALLED"]);

    await clusters("restart", { cluster_id: RUNNING_ID });
    const during = (await status(RUNNING_ID)).body.library_statuses;
    expect(during).toEqual([expect.objectContaining({ library: deequ, status: "PENDING" })]);
    clock.advanceReal(3 * MINUTE + 17 * SECOND);
    expect(await statuses(RUNNING_ID)).toEqual(["INSTALLED"]);
  });

  test("uninstall takes effect at terminate + start as well", async () => {
    await install(RUNNING_ID, [requests]);
    await uninstall(RUNNING_ID, [requests]);
    await clusters("delete", { cluster_id: RUNNING_ID });
    await eventually(async () => (await h.call("GET", `/api/2.1/clusters/get?cluster_id=${RUNNING_ID}`)).body.state === "TERMINATED");
    // Terminating is not a new run: the library is still marked, not gone.
    expect(await statuses(RUNNING_ID)).toEqual(["UNINSTALL_ON_RESTART"]);
    await clusters("start", { cluster_id: RUNNING_ID });
    expect((await status(RUNNING_ID)).body).toEqual({ cluster_id: RUNNING_ID });
  });

  test("an edit that restarts the cluster also completes pending uninstalls", async () => {
    await install(RUNNING_ID, [requests]);
    await uninstall(RUNNING_ID, [requests]);
    await clusters("edit", { cluster_id: RUNNING_ID, spark_version: "15.4.x-scala2.12", node_type_id: "i3.xlarge", num_workers: 2 });
    expect((await status(RUNNING_ID)).body.library_statuses).toBeUndefined();
  });

  test("installing a library marked for uninstall keeps it; uninstalling an absent one is a no-op", async () => {
    const clock = freezeSandboxClock(h);
    await install(RUNNING_ID, [requests]);
    clock.advanceReal(MINUTE);
    await uninstall(RUNNING_ID, [requests, deequ]);
    await install(RUNNING_ID, [requests]);
    expect(await statuses(RUNNING_ID)).toEqual(["INSTALLED"]);
    await clusters("restart", { cluster_id: RUNNING_ID });
    expect(await statuses(RUNNING_ID)).toEqual(["PENDING"]);
  });

  test("an unknown cluster is 400 INVALID_PARAMETER_VALUE 'Cluster X does not exist'", async () => {
    const expected = { error_code: "INVALID_PARAMETER_VALUE", message: "Cluster 0000-000000-nonexist does not exist" };
    expect((await install("0000-000000-nonexist", [requests])).body).toEqual(expected);
    expect((await uninstall("0000-000000-nonexist", [requests])).body).toEqual(expected);
    const res = await status("0000-000000-nonexist");
    expect(res.status).toBe(400);
    expect(res.body).toEqual(expected);
  });

  test("a cluster without libraries answers only its cluster_id", async () => {
    expect((await status(TERMINATED_ID)).body).toEqual({ cluster_id: TERMINATED_ID });
  });

  test("permissions: installing needs CAN_MANAGE, reading status needs CAN_ATTACH_TO", async () => {
    const refused = await install(RUNNING_ID, [requests], BOB_TOKEN);
    expect(refused.status).toBe(403);
    expect(refused.body.error_code).toBe("PERMISSION_DENIED");
    expect((await status(RUNNING_ID, BOB_TOKEN)).status).toBe(200);
    expect((await status(TERMINATED_ID, BOB_TOKEN)).status).toBe(403);
  });

  test("all-cluster-statuses lists the caller's visible clusters that have libraries", async () => {
    await install(RUNNING_ID, [requests]);
    await install(TERMINATED_ID, [deequ]);
    const admin = (await h.call("GET", "/api/2.0/libraries/all-cluster-statuses")).body;
    expect(admin.statuses.map((s: { cluster_id: string }) => s.cluster_id)).toEqual([RUNNING_ID, TERMINATED_ID]);
    expect(admin.statuses[1].library_statuses).toEqual([{ library: deequ, status: "PENDING", is_library_for_all_clusters: false }]);
    const bob = (await h.call("GET", "/api/2.0/libraries/all-cluster-statuses", { token: BOB_TOKEN })).body;
    expect(bob.statuses.map((s: { cluster_id: string }) => s.cluster_id)).toEqual([RUNNING_ID]);
  });

  test("permanent-delete forgets the cluster's libraries", async () => {
    await install(TERMINATED_ID, [deequ]);
    await clusters("permanent-delete", { cluster_id: TERMINATED_ID });
    expect((await status(TERMINATED_ID)).status).toBe(400);
    expect((await h.call("GET", "/api/2.0/libraries/all-cluster-statuses")).body).toEqual({ statuses: [] });
  });

  test("library state survives a sandbox restart", async () => {
    await install(RUNNING_ID, [requests]);
    await uninstall(RUNNING_ID, [requests]);
    await install(TERMINATED_ID, [deequ]);
    const stateDir = h.stateDir;
    await h.close();
    h = await startTestSandbox({ stateDir });
    expect(await statuses(RUNNING_ID)).toEqual(["UNINSTALL_ON_RESTART"]);
    expect(await statuses(TERMINATED_ID)).toEqual(["PENDING"]);
  });
});
