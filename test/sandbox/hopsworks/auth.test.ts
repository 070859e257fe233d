import { ScaledClock } from "../../../sandbox/common/clock";
import { startHopsworksSandbox } from "../../../sandbox/hopsworks";
import { AWS_HOST } from "../../helpers/databricks-sandbox";
import {
  hopsworksTestSeed,
  HOPSWORKS_HOST,
  OUTSIDER,
  OWNER,
  PROJECT_ID,
  SCIENTIST,
  startHopsworksTestSandbox,
  type HopsworksHarness,
} from "../../helpers/hopsworks-sandbox";

const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
const integration = `/project/${PROJECT_ID}/integrations/databricks`;

describe("hopsworks sandbox: login", () => {
  let h: HopsworksHarness;
  beforeEach(async () => {
    h = await startHopsworksTestSandbox();
  });
  afterEach(async () => h.close());

  test("a form login answers the JWT in the Authorization header: HS256, sub = username, iss = host, the site's lifetime (scaled)", async () => {
    const res = await h.call("POST", "/auth/login", { form: { email: OWNER.email, password: OWNER.password } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sessionID: expect.stringMatching(/^[0-9a-f]{32}$/), data: OWNER.email });
    const jwt = res.headers.get("authorization")!.replace(/^Bearer /, "");
    const [header, payload, signature] = jwt.split(".");
    expect(decode(header!)).toEqual({ alg: "HS256", typ: "JWT" });
    const claims = decode(payload!);
    expect(claims).toMatchObject({ sub: OWNER.username, iss: HOPSWORKS_HOST });
    // The test seed's 24 hours, scaled by 0.001 (Hopsworks' default is 30 minutes).
    expect(claims.exp - claims.iat).toBeCloseTo(86.4, 1);
    expect(Math.abs(claims.iat * 1000 - Date.now())).toBeLessThan(60_000);
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await h.call("GET", "/users/profile", { jwt })).status).toBe(200);
  });

  test("a wrong password or an unknown email is 401 AUTHENTICATION_FAILURE; missing fields are 422 ILLEGAL_ARGUMENT", async () => {
    const wrong = await h.call("POST", "/auth/login", { form: { email: OWNER.email, password: "not-the-password" } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ errorCode: 160008, errorMsg: "Authentication failed, invalid credentials" });
    expect(wrong.headers.get("authorization")).toBeNull();
    const unknown = await h.call("POST", "/auth/login", { form: { email: "nobody@example.com", password: "x" } });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ errorCode: 160008, usrMsg: "Unrecognized email address. Have you registered yet?" });
    const noEmail = await h.call("POST", "/auth/login", { form: { password: OWNER.password } });
    expect(noEmail.status).toBe(422);
    expect(noEmail.body).toEqual({ errorCode: 120001, errorMsg: "An argument was not provided or it was malformed.", usrMsg: "Email was not provided" });
    // Form parameters only: a JSON body carries no email.
    expect((await h.call("POST", "/auth/login", { body: { email: OWNER.email, password: OWNER.password } })).status).toBe(422);
  });
});

describe("hopsworks sandbox: JWT and API key authentication", () => {
  let h: HopsworksHarness;
  beforeEach(async () => {
    h = await startHopsworksTestSandbox();
  });
  afterEach(async () => h.close());

  test("profile answers with either a JWT or an API key", async () => {
    const expected = { id: expect.any(Number), username: OWNER.username, email: OWNER.email, firstname: "Olivia", lastname: "Owner" };
    expect((await h.call("GET", "/users/profile", { jwt: await h.login(OWNER) })).body).toEqual(expected);
    expect((await h.call("GET", "/users/profile", { apiKey: OWNER.apiKey })).body).toEqual(expected);
    expect((await h.call("GET", "/users/profile", { apiKey: SCIENTIST.apiKey })).body.username).toBe(SCIENTIST.username);
  });

  test("the integration endpoints refuse an API key: 401 200003 'Authorization method not supported.'", async () => {
    for (const [method, path] of [
      ["GET", integration],
      ["POST", `${integration}/${AWS_HOST}`],
      ["DELETE", `${integration}/${AWS_HOST}`],
      ["GET", `${integration}/${AWS_HOST}`],
      ["GET", `${integration}/${AWS_HOST}/clusters/0101-000000-aaaaaaaa`],
      ["POST", `${integration}/${AWS_HOST}/clusters/0101-000000-aaaaaaaa`],
    ] as const) {
      const res = await h.call(method, path, { apiKey: OWNER.apiKey, ...(method === "POST" ? { body: { apiKey: "x" } } : {}) });
      expect({ method, path, status: res.status, body: res.body }).toEqual({
        method,
        path,
        status: 401,
        body: { errorCode: 200003, errorMsg: "Authorization method not supported." },
      });
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="Cauth Realm"');
    }
    expect(h.hopsworks.instances[0]!.instance.registrations(OWNER.email)).toEqual([]);
    expect((await h.call("GET", integration, { jwt: await h.login(OWNER) })).status).toBe(200);
  });

  test("no header, another scheme, a forged, foreign or expired token, an unknown API key: 401", async () => {
    const missing = await h.call("GET", "/users/profile");
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ errorCode: 200003, errorMsg: "Token not provided." });
    expect((await h.call("GET", integration)).body).toEqual({ errorCode: 200003, errorMsg: "Token not provided." });

    const basic = await fetch(`${h.url()}/hopsworks-api/api/users/profile`, { headers: { authorization: "Basic b3duZXI6cHc=" } });
    expect(basic.status).toBe(401);
    expect(await basic.json()).toEqual({ errorCode: 200003, errorMsg: "Invalid token." });

    const jwt = await h.login(OWNER);
    const [header, payload] = jwt.split(".");
    const claims = decode(payload!);
    // Claim to be someone else with the same signature: the signature no longer matches.
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: SCIENTIST.username })).toString("base64url")}.${jwt.split(".")[2]}`;
    const forgedRes = await h.call("GET", "/users/profile", { jwt: forged });
    expect(forgedRes.status).toBe(401);
    expect(forgedRes.body).toEqual({ errorCode: 200003, errorMsg: "The Token's Signature resulted invalid when verified using the Algorithm: HmacSHA256" });
    expect((await h.call("GET", "/users/profile", { jwt: "not.a-jwt" })).body).toEqual({
      errorCode: 200003,
      errorMsg: "The token was expected to have 3 parts, but got 2.",
    });

    const instance = h.hopsworks.instances[0]!.instance;
    const expired = instance.issueToken(OWNER.email, { issuedAtMs: Date.now() - 9 * 3600_000 });
    const expiredRes = await h.call("GET", "/users/profile", { jwt: expired });
    expect(expiredRes.status).toBe(401);
    expect(expiredRes.body.errorMsg).toMatch(/^The Token has expired on \d{4}-\d\d-\d\dT/);
    // Within the 15-minute leeway (0.9 s at scale 0.001) a just-expired token still passes; after it, 401/200003.
    const leeway = instance.issueToken(OWNER.email, { issuedAtMs: Date.now() - 500, lifetimeMs: 100 });
    expect((await h.call("GET", "/users/profile", { jwt: leeway })).status).toBe(200);
    const late = instance.issueToken(OWNER.email, { issuedAtMs: Date.now() - 1500, lifetimeMs: 100 });
    expect((await h.call("GET", "/users/profile", { jwt: late })).body).toMatchObject({ errorCode: 200003 });

    const unknownKey = await h.call("GET", "/users/profile", { apiKey: "sandbox-hopsworks-apikey-nobody" });
    expect(unknownKey.status).toBe(401);
    expect(unknownKey.body).toEqual({ errorCode: 320002, errorMsg: "Api key not found" });
  });

  test("each user's token is their own; outsiders get tokens too", async () => {
    const [a, b] = [await h.login(OWNER), await h.login(OUTSIDER)];
    expect(a).not.toBe(b);
    expect((await h.call("GET", "/users/profile", { jwt: b })).body.email).toBe(OUTSIDER.email);
  });
});

describe("hopsworks sandbox: control surface", () => {
  let h: HopsworksHarness;
  beforeEach(async () => {
    h = await startHopsworksTestSandbox();
  });
  afterEach(async () => h.close());

  test("the request log records API calls with host and status; injected faults answer in the {errorCode, errorMsg} shape", async () => {
    await h.call("GET", "/users/profile", { apiKey: OWNER.apiKey });
    const log = await h.control("GET", "/requests");
    expect(log.body.requests).toEqual([
      expect.objectContaining({ service: "hopsworks", host: HOPSWORKS_HOST, method: "GET", path: "/hopsworks-api/api/users/profile", status: 200 }),
    ]);
    await h.control("POST", "/faults", { route: "GET /hopsworks-api/api/users/profile", kind: "status", status: 503, retryAfterSeconds: 2 });
    const faulted = await h.call("GET", "/users/profile", { apiKey: OWNER.apiKey });
    expect(faulted.status).toBe(503);
    expect(faulted.body).toEqual({ errorCode: 120000, errorMsg: "Service Unavailable" });
    expect(faulted.headers.get("retry-after")).toBe("2");
    expect((await h.call("GET", "/users/profile", { apiKey: OWNER.apiKey })).status).toBe(200);
    expect((await h.control("GET", "/time")).body).toEqual({ scale: 0.001 });
  });

  test("an unknown route is Jersey's 404 in Hopsworks' shape, before any authentication", async () => {
    const res = await h.call("GET", "/no/such/route");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errorCode: 120004, errorMsg: "Web application exception occurred", usrMsg: "HTTP 404 Not Found" });
    // Without the base path nothing is served either.
    expect((await fetch(`${h.url()}/users/profile`)).status).toBe(404);
  });
});

describe("hopsworks sandbox: logins a deployment cannot make", () => {
  test("password login disabled (401/160008), a two-factor account without otp (400/120002), a blocked account (401/160007)", async () => {
    const seed = hopsworksTestSeed();
    const [main] = seed.instances!;
    const users = main!.users!.map((u) => (u.email === SCIENTIST.email ? { ...u, twoFactor: true } : u.email === OUTSIDER.email ? { ...u, blocked: true } : u));
    const sso = { ...main!, host: "sso.example.com", passwordLogin: false };
    const sandbox = await startHopsworksSandbox({ seed: { instances: [{ ...main!, users }, sso] }, clock: new ScaledClock(0.001) });
    try {
      const login = async (host: string, form: Record<string, string>) => {
        const r = await fetch(`${sandbox.endpoints[host]}/hopsworks-api/api/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams(form).toString(),
        });
        return { status: r.status, body: await r.json().catch(() => ({})) };
      };
      expect(await login("sso.example.com", { email: OWNER.email, password: OWNER.password })).toEqual({
        status: 401,
        body: { errorCode: 160008, errorMsg: "Authentication failed, invalid credentials", usrMsg: "Password login not allowed" },
      });
      expect(await login(HOPSWORKS_HOST, { email: SCIENTIST.email, password: SCIENTIST.password })).toEqual({
        status: 400,
        body: { errorCode: 120002, errorMsg: "A runtime error occurred.", usrMsg: "Second factor required" },
      });
      expect((await login(HOPSWORKS_HOST, { email: SCIENTIST.email, password: SCIENTIST.password, otp: "123456" })).status).toBe(200);
      expect(await login(HOPSWORKS_HOST, { email: OUTSIDER.email, password: OUTSIDER.password })).toMatchObject({ status: 401, body: { errorCode: 160007 } });
    } finally {
      await sandbox.close();
    }
  });
});
