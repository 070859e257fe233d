import { ADMIN_TOKEN, ALICE_TOKEN, AWS_HOST, AZURE_HOST } from "../../helpers/databricks-sandbox";
import {
  HOPSWORKS_HOST,
  OTHER_PROJECT_ID,
  OUTSIDER,
  OWNER,
  PROJECT_ID,
  SCIENTIST,
  startHopsworksTestSandbox,
  type HopsworksHarness,
} from "../../helpers/hopsworks-sandbox";

const base = (projectId = PROJECT_ID) => `/project/${projectId}/integrations/databricks`;
const href = (projectId = PROJECT_ID) => `https://${HOPSWORKS_HOST}/hopsworks-api/api/project/${projectId}/integrations/databricks`;

describe("hopsworks sandbox: Databricks instance registration", () => {
  let h: HopsworksHarness;
  let jwt: string;
  beforeEach(async () => {
    h = await startHopsworksTestSandbox();
    jwt = await h.login(OWNER);
  });
  afterEach(async () => h.close());

  const secret = async (name: string, user = OWNER) => h.call("GET", `/users/secrets/${name}`, { apiKey: user.apiKey });

  test("register stores the PAT as the user's PRIVATE secret db_<instance>, without trying it; list shows it", async () => {
    const before = h.databricks.sandbox.control.requests().length;
    const res = await h.call("POST", `${base()}/${AWS_HOST}`, { jwt, body: { apiKey: ALICE_TOKEN } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ href: `${href()}/${AWS_HOST}`, url: AWS_HOST });
    expect(h.databricks.sandbox.control.requests().length).toBe(before);
    expect((await secret(`db_${AWS_HOST}`)).body.items[0]).toMatchObject({ name: `db_${AWS_HOST}`, secret: ALICE_TOKEN, visibility: "PRIVATE" });

    // A PAT Databricks would refuse registers just the same.
    expect((await h.call("POST", `${base()}/${AZURE_HOST}`, { jwt, body: { apiKey: "not-a-real-token" } })).status).toBe(200);
    const list = await h.call("GET", base(), { jwt });
    expect(list.body).toEqual({
      href: href(),
      count: 2,
      items: [
        { href: `${href()}/${AWS_HOST}`, url: AWS_HOST },
        { href: `${href()}/${AZURE_HOST}`, url: AZURE_HOST },
      ],
    });
    expect(h.hopsworks.instances[0]!.instance.registrations(OWNER.email)).toEqual([AWS_HOST, AZURE_HOST]);
  });

  test("registering again is 409 270122; a leftover secret of that name is 409 SECRET_EXISTS; no PAT is 404 SECRET_EMPTY", async () => {
    await h.call("POST", `${base()}/${AWS_HOST}`, { jwt, body: { apiKey: ALICE_TOKEN } });
    const again = await h.call("POST", `${base()}/${AWS_HOST}`, { jwt, body: { apiKey: ADMIN_TOKEN } });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ errorCode: 270122, errorMsg: "Databricks Instance already registered", usrMsg: `Instance URL: ${AWS_HOST}` });
    expect((await secret(`db_${AWS_HOST}`)).body.items[0].secret).toBe(ALICE_TOKEN);

    h.hopsworks.instances[0]!.instance.setSecret(OWNER.email, `db_${AZURE_HOST}`, "left-over-value");
    const clash = await h.call("POST", `${base()}/${AZURE_HOST}`, { jwt, body: { apiKey: ADMIN_TOKEN } });
    expect(clash).toMatchObject({ status: 409, body: { errorCode: 160049 } });
    expect(h.hopsworks.instances[0]!.instance.registrations(OWNER.email)).toEqual([AWS_HOST]);

    const empty = await h.call("POST", `${base()}/other.cloud.databricks.com`, { jwt, body: {} });
    expect(empty).toMatchObject({ status: 404, body: { errorCode: 160048 } });
  });

  test("registration is per user: the project only routes the call", async () => {
    await h.call("POST", `${base()}/${AWS_HOST}`, { jwt, body: { apiKey: ALICE_TOKEN } });
    const scientist = await h.login(SCIENTIST);
    expect((await h.call("GET", base(), { jwt: scientist })).body.count).toBe(0);
    expect((await h.call("POST", `${base()}/${AWS_HOST}`, { jwt: scientist, body: { apiKey: ADMIN_TOKEN } })).status).toBe(200);
    const outsider = await h.login(OUTSIDER);
    expect((await h.call("POST", `${base(OTHER_PROJECT_ID)}/${AWS_HOST}`, { jwt: outsider, body: { apiKey: ADMIN_TOKEN } })).status).toBe(200);
    // The outsider's registration made in churn; not visible to fraud_detection's members.
    expect((await h.call("GET", base(), { jwt })).body.items.map((i: { url: string }) => i.url)).toEqual([AWS_HOST]);
    expect((await h.call("GET", base(OTHER_PROJECT_ID), { jwt: outsider })).body.count).toBe(1);
    const instance = h.hopsworks.instances[0]!.instance;
    expect([instance.registrations(OWNER.email), instance.registrations(SCIENTIST.email), instance.registrations(OUTSIDER.email)]).toEqual([
      [AWS_HOST],
      [AWS_HOST],
      [AWS_HOST],
    ]);
  });

  test("only members reach the integration: unknown project 404, non-member 403", async () => {
    const outsider = await h.login(OUTSIDER);
    expect((await h.call("POST", `${base()}/${AWS_HOST}`, { jwt: outsider, body: { apiKey: ADMIN_TOKEN } })).body).toEqual({
      errorCode: 160000,
      errorMsg: "No valid role found for this user",
    });
    expect((await h.call("GET", base(), { jwt: outsider })).status).toBe(403);
    expect((await h.call("GET", base(999), { jwt })).body).toEqual({ errorCode: 150004, errorMsg: "Project wasn't found." });
  });

  test("delete removes the registration and the secret, touches nothing on Databricks; then 404 270123", async () => {
    await h.call("POST", `${base()}/${AWS_HOST}`, { jwt, body: { apiKey: ALICE_TOKEN } });
    const before = h.databricks.sandbox.control.requests().length;
    const res = await h.call("DELETE", `${base()}/${AWS_HOST}`, { jwt });
    expect(res.status).toBe(200);
    expect(res.body).toBeUndefined();
    expect(h.databricks.sandbox.control.requests().length).toBe(before);
    expect((await secret(`db_${AWS_HOST}`)).status).toBe(404);
    expect((await h.call("GET", base(), { jwt })).body.count).toBe(0);

    const again = await h.call("DELETE", `${base()}/${AWS_HOST}`, { jwt });
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ errorCode: 270123, errorMsg: "Databricks Instance doesn't exists", usrMsg: `Instance URL: ${AWS_HOST}` });
    // Rotation is delete then register.
    expect((await h.call("POST", `${base()}/${AWS_HOST}`, { jwt, body: { apiKey: ADMIN_TOKEN } })).status).toBe(200);
    expect((await secret(`db_${AWS_HOST}`)).body.items[0].secret).toBe(ADMIN_TOKEN);
  });

  test("a secret deleted out of band leaves the registration; delete then still succeeds", async () => {
    await h.call("POST", `${base()}/${AWS_HOST}`, { jwt, body: { apiKey: ALICE_TOKEN } });
    expect((await h.call("DELETE", `/users/secrets/db_${AWS_HOST}`, { apiKey: OWNER.apiKey })).status).toBe(200);
    expect((await h.call("GET", base(), { jwt })).body.count).toBe(1);
    expect((await h.call("POST", `${base()}/${AWS_HOST}`, { jwt, body: { apiKey: ALICE_TOKEN } })).body.errorCode).toBe(270122);
    expect((await h.call("DELETE", `${base()}/${AWS_HOST}`, { jwt })).status).toBe(200);
    expect((await h.call("GET", base(), { jwt })).body.count).toBe(0);
  });
});
