import { OWNER, PROJECT_ID, SCIENTIST, startHopsworksTestSandbox, type HopsworksHarness } from "../../helpers/hopsworks-sandbox";

describe("hopsworks sandbox: user secrets", () => {
  let h: HopsworksHarness;
  beforeEach(async () => {
    h = await startHopsworksTestSandbox();
  });
  afterEach(async () => h.close());

  test("create, list (names only), read (with the value), delete; each user sees only their own", async () => {
    const created = await h.call("POST", "/users/secrets", {
      apiKey: OWNER.apiKey,
      body: { name: "warehouse_pw", secret: "s3cr3t-value", visibility: "PRIVATE" },
    });
    expect(created.status).toBe(200);
    const list = await h.call("GET", "/users/secrets", { apiKey: OWNER.apiKey });
    expect(list.body).toEqual({
      href: expect.stringMatching(/\/users\/secrets$/),
      count: 1,
      items: [{ name: "warehouse_pw", visibility: "PRIVATE", addedOn: expect.any(String) }],
    });
    expect(JSON.stringify(list.body)).not.toContain("s3cr3t-value");
    const read = await h.call("GET", "/users/secrets/warehouse_pw", { jwt: await h.login(OWNER) });
    expect(read.body).toEqual({
      href: expect.any(String),
      count: 1,
      items: [{ name: "warehouse_pw", secret: "s3cr3t-value", visibility: "PRIVATE", addedOn: expect.any(String) }],
    });
    expect((await h.call("GET", "/users/secrets", { apiKey: SCIENTIST.apiKey })).body.count).toBe(0);
    expect((await h.call("GET", "/users/secrets/warehouse_pw", { apiKey: SCIENTIST.apiKey })).status).toBe(404);

    expect((await h.call("DELETE", "/users/secrets/warehouse_pw", { apiKey: OWNER.apiKey })).status).toBe(200);
    expect((await h.call("GET", "/users/secrets", { apiKey: OWNER.apiKey })).body.count).toBe(0);
  });

  test("a second secret with the same name is 409 SECRET_EXISTS; an unknown one is 404 SECRET_EMPTY; delete is idempotent", async () => {
    const body = { name: "dup", secret: "one", visibility: "PRIVATE" };
    await h.call("POST", "/users/secrets", { apiKey: OWNER.apiKey, body });
    const again = await h.call("POST", "/users/secrets", { apiKey: OWNER.apiKey, body: { ...body, secret: "two" } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ errorCode: 160049, errorMsg: "Same Secret already exists", usrMsg: "Secret already exists" });
    expect((await h.call("GET", "/users/secrets/dup", { apiKey: OWNER.apiKey })).body.items[0].secret).toBe("one");

    const missing = await h.call("GET", "/users/secrets/nope", { apiKey: OWNER.apiKey });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ errorCode: 160048, errorMsg: "Secret is empty", usrMsg: "Could not find Secret for user" });
    expect((await h.call("DELETE", "/users/secrets/nope", { apiKey: OWNER.apiKey })).status).toBe(200);
  });

  test("empty names or values and PROJECT visibility without a scope are 404 SECRET_EMPTY; a scoped one is kept", async () => {
    for (const body of [{ name: "", secret: "x" }, { name: "x", secret: "" }, { name: "x" }, { name: "shared", secret: "v", visibility: "PROJECT" }]) {
      const res = await h.call("POST", "/users/secrets", { apiKey: OWNER.apiKey, body });
      expect({ body, status: res.status, code: res.body.errorCode }).toEqual({ body, status: 404, code: 160048 });
    }
    expect(
      (
        await h.call("POST", "/users/secrets", {
          apiKey: OWNER.apiKey,
          body: { name: "shared", secret: "v", visibility: "PROJECT", projectIdScope: PROJECT_ID },
        })
      ).status,
    ).toBe(200);
    expect((await h.call("GET", "/users/secrets", { apiKey: OWNER.apiKey })).body.items).toEqual([
      { name: "shared", visibility: "PROJECT", projectIdScope: PROJECT_ID, addedOn: expect.any(String) },
    ]);
  });

  test("setSecret / deleteSecret change a user's secrets out of band", async () => {
    const instance = h.hopsworks.instances[0]!.instance;
    instance.setSecret(OWNER.email, "oob", "first");
    instance.setSecret(OWNER.email, "oob", "second");
    expect((await h.call("GET", "/users/secrets/oob", { apiKey: OWNER.apiKey })).body.items[0]).toMatchObject({ secret: "second", visibility: "PRIVATE" });
    expect(instance.deleteSecret(OWNER.email, "oob")).toBe(true);
    expect(instance.deleteSecret(OWNER.email, "oob")).toBe(false);
    expect((await h.call("GET", "/users/secrets/oob", { apiKey: OWNER.apiKey })).status).toBe(404);
    expect(() => instance.setSecret("nobody@example.com", "x", "y")).toThrow("no Hopsworks user");
  });
});
