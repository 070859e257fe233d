import { ADMIN_TOKEN, freezeSandboxClock, startTestSandbox, testSeed, type SandboxHarness } from "../../helpers/databricks-sandbox";

const MiB = 1024 * 1024;
const b64 = (text: string | Buffer) => Buffer.from(text).toString("base64");

describe("databricks sandbox: DBFS", () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await startTestSandbox();
  });
  afterEach(async () => h.close());

  const put = (path: string, contents: string | Buffer, overwrite?: boolean) =>
    h.call("POST", "/api/2.0/dbfs/put", { body: { path, contents: b64(contents), ...(overwrite !== undefined ? { overwrite } : {}) } });
  const status = (path: string) => h.call("GET", `/api/2.0/dbfs/get-status?path=${encodeURIComponent(path)}`);
  const read = (path: string, offset?: number, length?: number) =>
    h.call(
      "GET",
      `/api/2.0/dbfs/read?path=${encodeURIComponent(path)}${offset !== undefined ? `&offset=${offset}` : ""}${length !== undefined ? `&length=${length}` : ""}`,
    );
  const list = (path: string) => h.call("GET", `/api/2.0/dbfs/list?path=${encodeURIComponent(path)}`);

  test("put creates parents; get-status and read return the bytes; dbfs:/ paths are the same paths", async () => {
    expect((await put("/FileStore/init/setup.sh", "#!/bin/bash\necho hi\n")).body).toEqual({});
    const file = await status("dbfs:/FileStore/init/setup.sh");
    expect(file.status).toBe(200);
    expect(file.body).toEqual({ path: "/FileStore/init/setup.sh", is_dir: false, file_size: 20, modification_time: expect.any(Number) });
    expect((await status("/FileStore/init")).body).toMatchObject({ path: "/FileStore/init", is_dir: true, file_size: 0 });
    const got = await read("/FileStore/init/setup.sh");
    expect(got.body).toEqual({ bytes_read: 20, data: b64("#!/bin/bash\necho hi\n") });
  });

  test("put onto an existing file needs overwrite: 400 RESOURCE_ALREADY_EXISTS, then replaced", async () => {
    await put("/a/b.txt", "one");
    const again = await put("/a/b.txt", "two");
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ error_code: "RESOURCE_ALREADY_EXISTS", message: "A file or directory already exists at the input path /a/b.txt." });
    expect((await put("/a/b.txt", "two", true)).status).toBe(200);
    expect(Buffer.from((await read("/a/b.txt")).body.data, "base64").toString()).toBe("two");
    // A directory is never replaced by a file, overwrite or not.
    expect((await put("/a", "x", true)).body.error_code).toBe("RESOURCE_ALREADY_EXISTS");
  });

  test("put contents over 1 MiB decoded is 400 MAX_BLOCK_SIZE_EXCEEDED; exactly 1 MiB is accepted", async () => {
    const tooBig = await put("/big.bin", Buffer.alloc(MiB + 1, 7));
    expect(tooBig.status).toBe(400);
    expect(tooBig.body).toEqual({
      error_code: "MAX_BLOCK_SIZE_EXCEEDED",
      message: "The 'contents' data cannot exceed 1048576 bytes. Found: 1048577 bytes. You might want to use streaming upload instead.",
    });
    expect((await put("/big.bin", Buffer.alloc(MiB, 7))).status).toBe(200);
    expect((await status("/big.bin")).body.file_size).toBe(MiB);
  });

  test("put also accepts multipart/form-data, as the Databricks CLI sends it", async () => {
    const form = new FormData();
    form.append("path", "/cli/upload.txt");
    form.append("overwrite", "False");
    form.append("contents", new Blob([Buffer.from("from the cli")]), "");
    const res = await fetch(`${h.url()}/api/2.0/dbfs/put`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body: form });
    expect(res.status).toBe(200);
    expect(Buffer.from((await read("/cli/upload.txt")).body.data, "base64").toString()).toBe("from the cli");
    const again = await fetch(`${h.url()}/api/2.0/dbfs/put`, { method: "POST", headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, body: form });
    expect(again.status).toBe(400);
  });

  test("a 3.5 MiB file streams in 4 blocks and reads back with offsets", async () => {
    const size = Math.floor(3.5 * MiB);
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = (i * 31 + 7) % 251;
    const created = await h.call("POST", "/api/2.0/dbfs/create", { body: { path: "/jars/app.jar", overwrite: false } });
    expect(created.body).toEqual({ handle: expect.any(Number) });
    const handle = created.body.handle;
    for (let off = 0; off < size; off += MiB) {
      const res = await h.call("POST", "/api/2.0/dbfs/add-block", { body: { handle, data: data.subarray(off, off + MiB).toString("base64") } });
      expect(res.status).toBe(200);
    }
    // The file appears only at close.
    expect((await status("/jars/app.jar")).status).toBe(404);
    expect((await h.call("POST", "/api/2.0/dbfs/close", { body: { handle } })).status).toBe(200);
    expect((await status("/jars/app.jar")).body.file_size).toBe(size);

    const chunks: Buffer[] = [];
    for (let off = 0; ;) {
      const res = await read("/jars/app.jar", off, MiB);
      expect(res.status).toBe(200);
      if (res.body.bytes_read === 0) break;
      chunks.push(Buffer.from(res.body.data, "base64"));
      off += res.body.bytes_read;
    }
    expect(chunks).toHaveLength(4);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    // Default read length is 0.5 MiB.
    expect((await read("/jars/app.jar")).body.bytes_read).toBe(512 * 1024);
  });

  test("add-block over 1 MiB is MAX_BLOCK_SIZE_EXCEEDED; read over 1 MiB is MAX_READ_SIZE_EXCEEDED", async () => {
    const { handle } = (await h.call("POST", "/api/2.0/dbfs/create", { body: { path: "/x.bin" } })).body;
    const block = await h.call("POST", "/api/2.0/dbfs/add-block", { body: { handle, data: Buffer.alloc(MiB + 1).toString("base64") } });
    expect(block.status).toBe(400);
    expect(block.body.error_code).toBe("MAX_BLOCK_SIZE_EXCEEDED");
    await put("/y.bin", "y");
    const tooLong = await read("/y.bin", 0, MiB + 1);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error_code).toBe("MAX_READ_SIZE_EXCEEDED");
    expect((await read("/y.bin", 0, MiB)).status).toBe(200);
  });

  test("read: past the end is empty; a directory or a negative offset is INVALID_PARAMETER_VALUE", async () => {
    await put("/r/f.txt", "abc");
    expect((await read("/r/f.txt", 1, 10)).body).toEqual({ bytes_read: 2, data: b64("bc") });
    expect((await read("/r/f.txt", 99, 10)).body).toEqual({ bytes_read: 0, data: "" });
    expect((await read("/r", 0, 10)).body.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect((await read("/r/f.txt", -1, 10)).body.error_code).toBe("INVALID_PARAMETER_VALUE");
  });

  test("create on an existing path needs overwrite; closed or unknown handles are RESOURCE_DOES_NOT_EXIST", async () => {
    await put("/c.txt", "c");
    const refused = await h.call("POST", "/api/2.0/dbfs/create", { body: { path: "/c.txt" } });
    expect(refused.status).toBe(400);
    expect(refused.body.error_code).toBe("RESOURCE_ALREADY_EXISTS");
    const { handle } = (await h.call("POST", "/api/2.0/dbfs/create", { body: { path: "/c.txt", overwrite: true } })).body;
    await h.call("POST", "/api/2.0/dbfs/add-block", { body: { handle, data: b64("new") } });
    expect((await h.call("POST", "/api/2.0/dbfs/close", { body: { handle } })).status).toBe(200);
    expect(Buffer.from((await read("/c.txt")).body.data, "base64").toString()).toBe("new");
    for (const call of ["close", "add-block"]) {
      const res = await h.call("POST", `/api/2.0/dbfs/${call}`, { body: { handle, data: b64("x") } });
      expect(res.status).toBe(404);
      expect(res.body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    }
    expect((await h.call("POST", "/api/2.0/dbfs/close", { body: { handle: 987654 } })).status).toBe(404);
  });

  test("a handle idle for 10 minutes (scaled) expires; activity keeps it alive", async () => {
    const clock = freezeSandboxClock(h);
    const { handle } = (await h.call("POST", "/api/2.0/dbfs/create", { body: { path: "/slow.bin" } })).body;
    clock.advanceReal(9 * 60_000);
    expect((await h.call("POST", "/api/2.0/dbfs/add-block", { body: { handle, data: b64("a") } })).status).toBe(200);
    clock.advanceReal(9 * 60_000);
    expect((await h.call("POST", "/api/2.0/dbfs/add-block", { body: { handle, data: b64("b") } })).status).toBe(200);
    clock.advanceReal(11 * 60_000);
    const expired = await h.call("POST", "/api/2.0/dbfs/close", { body: { handle } });
    expect(expired.status).toBe(404);
    expect(expired.body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect((await status("/slow.bin")).status).toBe(404);
  });

  test("missing paths are 404 RESOURCE_DOES_NOT_EXIST with the real message; relative paths are refused", async () => {
    const missing = await status("/nope");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "No file or directory exists on path /nope." });
    expect((await list("/nope")).status).toBe(404);
    expect((await read("/nope")).status).toBe(404);
    const relative = await put("relative/path", "x");
    expect(relative.status).toBe(400);
    expect(relative.body.error_code).toBe("INVALID_PARAMETER_VALUE");
  });

  test("list: a directory lists its children; a file lists itself; an empty directory answers {}", async () => {
    await put("/l/b.txt", "bb");
    await put("/l/a.txt", "a");
    await h.call("POST", "/api/2.0/dbfs/mkdirs", { body: { path: "/l/sub" } });
    const dir = await list("/l");
    expect(dir.body.files.map((f: { path: string; is_dir: boolean }) => [f.path, f.is_dir])).toEqual([
      ["/l/a.txt", false],
      ["/l/b.txt", false],
      ["/l/sub", true],
    ]);
    expect((await list("dbfs:/l/b.txt")).body).toEqual({ files: [{ path: "/l/b.txt", is_dir: false, file_size: 2, modification_time: expect.any(Number) }] });
    expect((await list("/l/sub")).body).toEqual({});
  });

  test("mkdirs is idempotent and creates parents; a file on the prefix is RESOURCE_ALREADY_EXISTS", async () => {
    expect((await h.call("POST", "/api/2.0/dbfs/mkdirs", { body: { path: "/m/n/o" } })).status).toBe(200);
    expect((await h.call("POST", "/api/2.0/dbfs/mkdirs", { body: { path: "/m/n/o" } })).status).toBe(200);
    expect((await status("/m/n")).body.is_dir).toBe(true);
    await put("/m/file", "f");
    const blocked = await h.call("POST", "/api/2.0/dbfs/mkdirs", { body: { path: "/m/file/deeper" } });
    expect(blocked.status).toBe(400);
    expect(blocked.body.error_code).toBe("RESOURCE_ALREADY_EXISTS");
    expect((await status("/m/file/deeper")).status).toBe(404);
  });

  test("delete: a non-empty directory needs recursive (400); missing paths succeed", async () => {
    await put("/d/e/f.txt", "f");
    const refused = await h.call("POST", "/api/2.0/dbfs/delete", { body: { path: "/d", recursive: false } });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ error_code: "BAD_REQUEST", message: "Directory is not empty. Use recursive delete or remove contents first." });
    expect((await h.call("POST", "/api/2.0/dbfs/delete", { body: { path: "/d/e/f.txt" } })).status).toBe(200);
    expect((await h.call("POST", "/api/2.0/dbfs/delete", { body: { path: "/d/e" } })).status).toBe(200);
    await put("/d/g/h.txt", "h");
    expect((await h.call("POST", "/api/2.0/dbfs/delete", { body: { path: "/d", recursive: true } })).status).toBe(200);
    expect((await status("/d/g/h.txt")).status).toBe(404);
    expect((await status("/d")).status).toBe(404);
    expect((await h.call("POST", "/api/2.0/dbfs/delete", { body: { path: "/never-was" } })).status).toBe(200);
  });

  test("move renames files and whole trees; an existing destination is refused", async () => {
    await put("/src/one.txt", "1");
    await put("/src/deep/two.txt", "2");
    expect((await h.call("POST", "/api/2.0/dbfs/move", { body: { source_path: "/src", destination_path: "/dst/moved" } })).status).toBe(200);
    expect((await status("/src")).status).toBe(404);
    expect(Buffer.from((await read("/dst/moved/deep/two.txt")).body.data, "base64").toString()).toBe("2");
    await put("/other.txt", "o");
    const clash = await h.call("POST", "/api/2.0/dbfs/move", { body: { source_path: "/other.txt", destination_path: "/dst/moved/one.txt" } });
    expect(clash.status).toBe(400);
    expect(clash.body.error_code).toBe("RESOURCE_ALREADY_EXISTS");
    const gone = await h.call("POST", "/api/2.0/dbfs/move", { body: { source_path: "/ghost", destination_path: "/x" } });
    expect(gone.status).toBe(404);
  });

  test("invalid base64 and missing fields are INVALID_PARAMETER_VALUE", async () => {
    const bad = await h.call("POST", "/api/2.0/dbfs/put", { body: { path: "/z", contents: "not base64!" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    const missing = await h.call("POST", "/api/2.0/dbfs/mkdirs", { body: {} });
    expect(missing.body).toEqual({ error_code: "INVALID_PARAMETER_VALUE", message: "Missing required field: path" });
  });

  test("files and open handles survive a restart with the same state dir", async () => {
    await put("/persist/config.json", '{"a":1}');
    const { handle } = (await h.call("POST", "/api/2.0/dbfs/create", { body: { path: "/persist/stream.bin" } })).body;
    await h.call("POST", "/api/2.0/dbfs/add-block", { body: { handle, data: b64("part-1;") } });
    await h.close();
    h = await startTestSandbox({ stateDir: h.stateDir, seed: testSeed() });
    expect(Buffer.from((await read("/persist/config.json")).body.data, "base64").toString()).toBe('{"a":1}');
    await h.call("POST", "/api/2.0/dbfs/add-block", { body: { handle, data: b64("part-2") } });
    expect((await h.call("POST", "/api/2.0/dbfs/close", { body: { handle } })).status).toBe(200);
    expect(Buffer.from((await read("/persist/stream.bin")).body.data, "base64").toString()).toBe("part-1;part-2");
  });
});
