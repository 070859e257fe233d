import { ADMIN_TOKEN, startTestSandbox, testSeed, type SandboxHarness } from "../../helpers/databricks-sandbox";

const VOL = "/Volumes/main/sales/landing";

describe("databricks sandbox: Files API (UC volumes)", () => {
  let h: SandboxHarness;
  beforeEach(async () => {
    h = await startTestSandbox();
    await h.call("POST", "/api/2.1/unity-catalog/volumes", { body: { catalog_name: "main", schema_name: "sales", name: "landing", volume_type: "MANAGED" } });
  });
  afterEach(async () => h.close());

  /** Raw HTTP, as the SDKs' Files API clients send it (octet-stream bodies, Range headers). */
  const raw = (method: string, path: string, init: { body?: Buffer | string; headers?: Record<string, string> } = {}) =>
    fetch(`${h.url()}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.body !== undefined ? { "content-type": "application/octet-stream" } : {}), ...init.headers },
      body: init.body,
    });
  const upload = (path: string, body: Buffer | string, overwrite?: boolean) =>
    raw("PUT", `/api/2.0/fs/files${path}${overwrite === undefined ? "" : `?overwrite=${overwrite}`}`, { body });

  test("upload then download returns the exact bytes with length and last-modified", async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255, 10, 13]);
    const put = await upload(`${VOL}/raw/2024/data.bin`, bytes);
    expect(put.status).toBe(204);
    const got = await raw("GET", `/api/2.0/fs/files${VOL}/raw/2024/data.bin`);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("application/octet-stream");
    expect(got.headers.get("content-length")).toBe("7");
    expect(Date.parse(got.headers.get("last-modified") ?? "")).not.toBeNaN();
    expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);
  });

  test("the body is stored raw whatever the content type; an empty body makes an empty file", async () => {
    const asJson = await raw("PUT", `/api/2.0/fs/files${VOL}/conf.json`, { body: '{"a": 1}', headers: { "content-type": "application/json" } });
    expect(asJson.status).toBe(204);
    expect(await (await raw("GET", `/api/2.0/fs/files${VOL}/conf.json`)).text()).toBe('{"a": 1}');
    const untyped = await fetch(`${h.url()}/api/2.0/fs/files${VOL}/untyped.bin`, {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(untyped.status).toBe(204);
    expect((await raw("HEAD", `/api/2.0/fs/files${VOL}/untyped.bin`)).headers.get("content-length")).toBe("3");
    expect((await raw("PUT", `/api/2.0/fs/files${VOL}/empty.txt`)).status).toBe(204);
    expect((await raw("HEAD", `/api/2.0/fs/files${VOL}/empty.txt`)).headers.get("content-length")).toBe("0");
  });

  test("HEAD gives the metadata without a body; a missing file is 404", async () => {
    await upload(`${VOL}/a.txt`, "hello");
    const head = await raw("HEAD", `/api/2.0/fs/files${VOL}/a.txt`);
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("5");
    expect(head.headers.get("last-modified")).toBeTruthy();
    expect(await head.text()).toBe("");
    expect((await raw("HEAD", `/api/2.0/fs/files${VOL}/missing.txt`)).status).toBe(404);
    const get = await h.call("GET", `/api/2.0/fs/files${VOL}/missing.txt`);
    expect(get.status).toBe(404);
    expect(get.body.error_code).toBe("NOT_FOUND");
  });

  test("Range requests return 206 with Content-Range; unsatisfiable ranges are 416", async () => {
    await upload(`${VOL}/digits.txt`, "0123456789");
    const mid = await raw("GET", `/api/2.0/fs/files${VOL}/digits.txt`, { headers: { range: "bytes=2-5" } });
    expect(mid.status).toBe(206);
    expect(mid.headers.get("content-range")).toBe("bytes 2-5/10");
    expect(await mid.text()).toBe("2345");
    const tail = await raw("GET", `/api/2.0/fs/files${VOL}/digits.txt`, { headers: { range: "bytes=-3" } });
    expect(await tail.text()).toBe("789");
    const open = await raw("GET", `/api/2.0/fs/files${VOL}/digits.txt`, { headers: { range: "bytes=7-" } });
    expect(await open.text()).toBe("789");
    const beyond = await raw("GET", `/api/2.0/fs/files${VOL}/digits.txt`, { headers: { range: "bytes=20-30" } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe("bytes */10");
  });

  test("overwrite defaults to true; overwrite=false on an existing file is 409 ALREADY_EXISTS", async () => {
    await upload(`${VOL}/o.txt`, "one");
    expect((await upload(`${VOL}/o.txt`, "two")).status).toBe(204);
    expect(await (await raw("GET", `/api/2.0/fs/files${VOL}/o.txt`)).text()).toBe("two");
    const refused = await upload(`${VOL}/o.txt`, "three", false);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error_code: string }).error_code).toBe("ALREADY_EXISTS");
    expect((await upload(`${VOL}/o.txt`, "four", true)).status).toBe(204);
  });

  test("paths outside an existing volume are refused", async () => {
    expect((await upload("/Volumes/main/sales/nope/x.txt", "x")).status).toBe(404);
    expect((await upload("/Volumes/ghost/sales/landing/x.txt", "x")).status).toBe(404);
    expect((await upload("/tmp/x.txt", "x")).status).toBe(400);
    // fetch would resolve a literal "/../"; encoded slashes carry it to the server, as Go's PathEscape does.
    expect((await raw("PUT", `/api/2.0/fs/files/${encodeURIComponent(`${VOL.slice(1)}/../escape.txt`)}`, { body: "x" })).status).toBe(400);
  });

  test("percent-encoded paths (as the Go CLI sends them) name the same file", async () => {
    await upload(`${VOL}/with space.txt`, "s");
    const encoded = await raw("GET", `/api/2.0/fs/files/${encodeURIComponent(`${VOL.slice(1)}/with space.txt`)}`);
    expect(encoded.status).toBe(200);
    expect(await encoded.text()).toBe("s");
  });

  test("delete removes a file; deleting it again is 404", async () => {
    await upload(`${VOL}/d.txt`, "d");
    expect((await raw("DELETE", `/api/2.0/fs/files${VOL}/d.txt`)).status).toBe(204);
    expect((await raw("GET", `/api/2.0/fs/files${VOL}/d.txt`)).status).toBe(404);
    expect((await raw("DELETE", `/api/2.0/fs/files${VOL}/d.txt`)).status).toBe(404);
  });

  test("directories: mkdir -p is idempotent, list shows entries, HEAD checks existence", async () => {
    expect((await raw("PUT", `/api/2.0/fs/directories${VOL}/a/b/c`)).status).toBe(204);
    expect((await raw("PUT", `/api/2.0/fs/directories${VOL}/a/b/c`)).status).toBe(204);
    await upload(`${VOL}/a/file.csv`, "x,y\n");
    const listed = await h.call("GET", `/api/2.0/fs/directories${VOL}/a`);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({
      contents: [
        { path: `${VOL}/a/b/`, is_directory: true, name: "b" },
        { path: `${VOL}/a/file.csv`, is_directory: false, file_size: 4, last_modified: expect.any(Number), name: "file.csv" },
      ],
    });
    expect((await h.call("GET", `/api/2.0/fs/directories${VOL}/a/b/c`)).body).toEqual({});
    expect((await raw("HEAD", `/api/2.0/fs/directories${VOL}/a/b`)).status).toBe(200);
    expect((await raw("HEAD", `/api/2.0/fs/directories${VOL}/zzz`)).status).toBe(404);
    const missing = await h.call("GET", `/api/2.0/fs/directories${VOL}/zzz`);
    expect(missing.status).toBe(404);
    expect(missing.body.details[0]).toMatchObject({ reason: "FILES_API_DIRECTORY_IS_NOT_FOUND" });
    // A file is not a directory.
    expect((await h.call("GET", `/api/2.0/fs/directories${VOL}/a/file.csv`)).status).toBe(404);
    expect((await raw("PUT", `/api/2.0/fs/directories${VOL}/a/file.csv`)).status).toBe(409);
  });

  test("directory listing pages with page_size and next_page_token", async () => {
    for (const n of ["1", "2", "3"]) await upload(`${VOL}/p/${n}.txt`, n);
    const first = await h.call("GET", `/api/2.0/fs/directories${VOL}/p?page_size=2`);
    expect(first.body.contents.map((e: { name: string }) => e.name)).toEqual(["1.txt", "2.txt"]);
    expect(first.body.next_page_token).toEqual(expect.any(String));
    const second = await h.call("GET", `/api/2.0/fs/directories${VOL}/p?page_size=2&page_token=${first.body.next_page_token}`);
    expect(second.body.contents.map((e: { name: string }) => e.name)).toEqual(["3.txt"]);
    expect(second.body.next_page_token).toBeUndefined();
  });

  test("deleting a non-empty directory is 400 with reason FILES_API_DIRECTORY_IS_NOT_EMPTY; empty ones go", async () => {
    await upload(`${VOL}/full/f.txt`, "f");
    const refused = await h.call("DELETE", `/api/2.0/fs/directories${VOL}/full`);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      error_code: "INVALID_PARAMETER_VALUE",
      details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "FILES_API_DIRECTORY_IS_NOT_EMPTY" }],
    });
    await raw("DELETE", `/api/2.0/fs/files${VOL}/full/f.txt`);
    expect((await raw("DELETE", `/api/2.0/fs/directories${VOL}/full`)).status).toBe(204);
    expect((await raw("HEAD", `/api/2.0/fs/directories${VOL}/full`)).status).toBe(404);
  });

  test("a deleted and re-created volume starts empty", async () => {
    await upload(`${VOL}/old.txt`, "old");
    await h.call("DELETE", "/api/2.1/unity-catalog/volumes/main.sales.landing");
    expect((await raw("GET", `/api/2.0/fs/files${VOL}/old.txt`)).status).toBe(404);
    await h.call("POST", "/api/2.1/unity-catalog/volumes", { body: { catalog_name: "main", schema_name: "sales", name: "landing", volume_type: "MANAGED" } });
    expect((await raw("GET", `/api/2.0/fs/files${VOL}/old.txt`)).status).toBe(404);
  });

  test("files survive a restart with the same state dir", async () => {
    await upload(`${VOL}/keep/me.txt`, "kept");
    await h.close();
    h = await startTestSandbox({ stateDir: h.stateDir, seed: testSeed() });
    expect(await (await raw("GET", `/api/2.0/fs/files${VOL}/keep/me.txt`)).text()).toBe("kept");
  });
});
