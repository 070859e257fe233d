import { ADMIN_TOKEN, startTestSandbox, testSeed, type SandboxHarness } from "../../helpers/databricks-sandbox";

const b64 = (text: string | Buffer) => Buffer.from(text).toString("base64");
const text = (content: string) => Buffer.from(content, "base64").toString("utf8");
const HOME = "/Users/admin@example.com";

describe("databricks sandbox: workspace files", () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await startTestSandbox();
  });
  afterEach(async () => h.close());

  const importObject = (body: Record<string, unknown>) => h.call("POST", "/api/2.0/workspace/import", { body });
  const status = (path: string) => h.call("GET", `/api/2.0/workspace/get-status?path=${encodeURIComponent(path)}`);
  const exportObject = (path: string, format?: string) =>
    h.call("GET", `/api/2.0/workspace/export?path=${encodeURIComponent(path)}${format ? `&format=${format}` : ""}`);
  const list = (path: string) => h.call("GET", `/api/2.0/workspace/list?path=${encodeURIComponent(path)}`);

  test("user homes and the system folders exist from the start", async () => {
    expect((await status(HOME)).body).toMatchObject({ object_type: "DIRECTORY", path: HOME, object_id: expect.any(Number) });
    const users = await list("/Users");
    expect(users.body.objects.map((o: { path: string }) => o.path)).toEqual(["/Users/admin@example.com", "/Users/alice@example.com", "/Users/bob@example.com"]);
    expect((await list("/")).body.objects.map((o: { path: string }) => o.path)).toEqual(["/Repos", "/Shared", "/Users"]);
  });

  test("RAW import makes a FILE; get-status reports size and times; export returns the bytes", async () => {
    const imported = await importObject({ path: `${HOME}/init.sh`, content: b64("echo hi\n"), format: "RAW" });
    expect(imported.status).toBe(200);
    expect(imported.body).toEqual({ object_id: expect.any(Number) });
    const info = await status(`${HOME}/init.sh`);
    expect(info.body).toEqual({
      object_type: "FILE",
      path: `${HOME}/init.sh`,
      object_id: imported.body.object_id,
      resource_id: String(imported.body.object_id),
      created_at: expect.any(Number),
      modified_at: expect.any(Number),
      size: 8,
    });
    const exported = await exportObject(`${HOME}/init.sh`);
    expect(text(exported.body.content)).toBe("echo hi\n");
    // The /Workspace prefix names the same tree.
    expect((await status(`/Workspace${HOME}/init.sh`)).body.object_id).toBe(imported.body.object_id);
  });

  test("direct_download export returns the raw bytes", async () => {
    await importObject({ path: `${HOME}/data.csv`, content: b64("a,b\n1,2\n"), format: "AUTO" });
    const res = await fetch(`${h.url()}/api/2.0/workspace/export?path=${encodeURIComponent(`${HOME}/data.csv`)}&direct_download=true`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("a,b\n1,2\n");
  });

  test("AUTO: a plain .py file stays a FILE; a .py with the notebook header becomes a NOTEBOOK without the extension", async () => {
    await importObject({ path: `${HOME}/lib.py`, content: b64("def f():\n    return 1\n"), format: "AUTO" });
    expect((await status(`${HOME}/lib.py`)).body.object_type).toBe("FILE");
    await importObject({ path: `${HOME}/job.py`, content: b64("# Databricks notebook source\nprint(1)\n"), format: "AUTO" });
    expect((await status(`${HOME}/job.py`)).status).toBe(404);
    expect((await status(`${HOME}/job`)).body).toMatchObject({ object_type: "NOTEBOOK", language: "PYTHON" });
  });

  test("SOURCE with a language makes a NOTEBOOK at the given path; export adds the source header", async () => {
    await importObject({ path: `${HOME}/etl`, content: b64("print(1)\n"), format: "SOURCE", language: "PYTHON" });
    const info = await status(`${HOME}/etl`);
    expect(info.body).toMatchObject({ object_type: "NOTEBOOK", language: "PYTHON", path: `${HOME}/etl` });
    expect(info.body.size).toBeUndefined();
    const exported = await exportObject(`${HOME}/etl`, "SOURCE");
    expect(exported.body).toEqual({ content: b64("# Databricks notebook source\nprint(1)\n"), file_type: "py" });
    const missingLanguage = await importObject({ path: `${HOME}/etl2`, content: b64("x"), format: "SOURCE" });
    expect(missingLanguage.status).toBe(400);
    expect(missingLanguage.body.error_code).toBe("INVALID_PARAMETER_VALUE");
  });

  test("JUPYTER import round-trips as JUPYTER and converts to SOURCE", async () => {
    const ipynb = JSON.stringify({
      cells: [{ cell_type: "code", source: ["x = 1\n", "print(x)"], metadata: {}, outputs: [] }],
      metadata: { language_info: { name: "python" } },
      nbformat: 4,
      nbformat_minor: 2,
    });
    await importObject({ path: `${HOME}/nb`, content: b64(ipynb), format: "JUPYTER" });
    expect((await status(`${HOME}/nb`)).body).toMatchObject({ object_type: "NOTEBOOK", language: "PYTHON" });
    expect(text((await exportObject(`${HOME}/nb`, "JUPYTER")).body.content)).toBe(ipynb);
    expect(text((await exportObject(`${HOME}/nb`, "SOURCE")).body.content)).toBe("# Databricks notebook source\nx = 1\nprint(x)");
  });

  test("importing over an existing object needs overwrite: 400 RESOURCE_ALREADY_EXISTS with the real message", async () => {
    const body = { path: `${HOME}/cfg.yml`, content: b64("a: 1\n"), format: "AUTO" };
    const first = await importObject(body);
    const again = await importObject(body);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ error_code: "RESOURCE_ALREADY_EXISTS", message: `Path (${HOME}/cfg.yml) already exists.` });
    const replaced = await importObject({ ...body, content: b64("a: 2\n"), overwrite: true });
    expect(replaced.body.object_id).toBe(first.body.object_id);
    expect(text((await exportObject(`${HOME}/cfg.yml`)).body.content)).toBe("a: 2\n");
  });

  test("the parent folder must exist: 404 RESOURCE_DOES_NOT_EXIST", async () => {
    const res = await importObject({ path: `${HOME}/no/such/dir/f.txt`, content: b64("x"), format: "RAW" });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_code: "RESOURCE_DOES_NOT_EXIST", message: `The parent folder (${HOME}/no/such/dir) does not exist.` });
  });

  test("content over 10 MB is refused with the real message; exactly 10 MB is accepted", async () => {
    const limit = 10_485_760;
    const tooBig = await importObject({ path: `${HOME}/big.bin`, content: Buffer.alloc(limit + 1).toString("base64"), format: "RAW" });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body).toEqual({ error_code: "BAD_REQUEST", message: `File size imported is (${limit + 1} bytes), exceeded max size (${limit} bytes)` });
    expect((await importObject({ path: `${HOME}/big.bin`, content: Buffer.alloc(limit).toString("base64"), format: "RAW" })).status).toBe(200);
    expect((await status(`${HOME}/big.bin`)).body.size).toBe(limit);
  });

  test("missing paths are 404 RESOURCE_DOES_NOT_EXIST on get-status, export, list and delete", async () => {
    for (const res of [
      await status("/Shared/ghost"),
      await exportObject("/Shared/ghost"),
      await list("/Shared/ghost"),
      await h.call("POST", "/api/2.0/workspace/delete", { body: { path: "/Shared/ghost" } }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "Path (/Shared/ghost) doesn't exist." });
    }
  });

  test("mkdirs creates parents and is idempotent; a file on the way is RESOURCE_ALREADY_EXISTS", async () => {
    expect((await h.call("POST", "/api/2.0/workspace/mkdirs", { body: { path: "/Shared/a/b/c" } })).body).toEqual({});
    expect((await h.call("POST", "/api/2.0/workspace/mkdirs", { body: { path: "/Shared/a/b/c" } })).status).toBe(200);
    expect((await status("/Shared/a/b")).body.object_type).toBe("DIRECTORY");
    await importObject({ path: "/Shared/a/file", content: b64("f"), format: "RAW" });
    const blocked = await h.call("POST", "/api/2.0/workspace/mkdirs", { body: { path: "/Shared/a/file/x" } });
    expect(blocked.status).toBe(400);
    expect(blocked.body.error_code).toBe("RESOURCE_ALREADY_EXISTS");
  });

  test("list: children sorted, a file lists itself, an empty folder answers {}", async () => {
    await h.call("POST", "/api/2.0/workspace/mkdirs", { body: { path: "/Shared/proj/empty" } });
    await importObject({ path: "/Shared/proj/b.txt", content: b64("b"), format: "RAW" });
    await importObject({ path: "/Shared/proj/a", content: b64("select 1"), format: "SOURCE", language: "SQL" });
    const listed = await list("/Shared/proj");
    expect(listed.body.objects.map((o: { path: string; object_type: string }) => [o.path, o.object_type])).toEqual([
      ["/Shared/proj/a", "NOTEBOOK"],
      ["/Shared/proj/b.txt", "FILE"],
      ["/Shared/proj/empty", "DIRECTORY"],
    ]);
    expect((await list("/Shared/proj/b.txt")).body.objects).toEqual([expect.objectContaining({ path: "/Shared/proj/b.txt", object_type: "FILE" })]);
    expect((await list("/Shared/proj/empty")).body).toEqual({});
  });

  test("delete: non-empty folders need recursive (400 DIRECTORY_NOT_EMPTY); system folders are protected", async () => {
    await importObject({ path: "/Shared/tmp-f.txt", content: b64("x"), format: "RAW" });
    await h.call("POST", "/api/2.0/workspace/mkdirs", { body: { path: "/Shared/tree/leaf" } });
    const refused = await h.call("POST", "/api/2.0/workspace/delete", { body: { path: "/Shared/tree", recursive: false } });
    expect(refused.status).toBe(400);
    expect(refused.body.error_code).toBe("DIRECTORY_NOT_EMPTY");
    expect((await h.call("POST", "/api/2.0/workspace/delete", { body: { path: "/Shared/tree", recursive: true } })).status).toBe(200);
    expect((await status("/Shared/tree/leaf")).status).toBe(404);
    expect((await h.call("POST", "/api/2.0/workspace/delete", { body: { path: "/Shared/tmp-f.txt" } })).status).toBe(200);
    const root = await h.call("POST", "/api/2.0/workspace/delete", { body: { path: "/Shared", recursive: true } });
    expect(root.status).toBe(400);
    expect(root.body.error_code).toBe("DIRECTORY_PROTECTED");
  });

  test("unmodelled formats are refused clearly rather than faked", async () => {
    const res = await importObject({ path: `${HOME}/archive`, content: b64("x"), format: "DBC" });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe("INVALID_PARAMETER_VALUE");
  });

  test("workspace objects survive a restart with the same state dir", async () => {
    await importObject({ path: `${HOME}/keep.txt`, content: b64("kept"), format: "RAW" });
    await h.close();
    h = await startTestSandbox({ stateDir: h.stateDir, seed: testSeed() });
    expect(text((await exportObject(`${HOME}/keep.txt`)).body.content)).toBe("kept");
  });
});
