import type * as pulumi from "@pulumi/pulumi";
import { provider as tokenProvider } from "../../provider/databricks/access-token";
import { provider as instanceProvider } from "../../provider/hopsworks/databricks-instance";
import { provider as clusterProvider } from "../../provider/hopsworks/configured-cluster";
import { ADMIN_TOKEN, ALICE_TOKEN, AWS_HOST, AZURE_ADMIN_TOKEN, AZURE_HOST, eventually } from "../helpers/databricks-sandbox";
import { HOPSWORKS_HOST, MANAGED_CLUSTER, OWNER, PROJECT, SCIENTIST, startHopsworksTestSandbox, type HopsworksHarness } from "../helpers/hopsworks-sandbox";
import { QUALYTICS_HOST, WAREHOUSE_PATH, startQualyticsTestSandbox, type QualyticsHarness } from "../helpers/qualytics-sandbox";
import { provider as datastoreProvider } from "../../provider/qualytics/databricks-datastore";

jest.setTimeout(60_000);

/**
 * The mistakes only a service can reveal, made against the sandboxes with the providers run
 * in-process (configured as the engine would, then a lifecycle method called directly): the
 * message must say what went wrong and how to fix it, and never show the token.
 */
describe("runtime mistakes get a message that says how to fix them", () => {
  let h: HopsworksHarness;
  let expiredToken: string;

  /** Records stack config in the provider process, as the engine's `configure` call does. */
  const configure = (provider: pulumi.dynamic.ResourceProvider, config: Record<string, string>) =>
    provider.configure!({ config: { get: (key: string) => config[key] } as unknown as pulumi.Config });
  const stackConfig = (overrides: Record<string, string> = {}) => ({
    "databricks:host": AWS_HOST,
    "databricks:token": ALICE_TOKEN,
    "hopsworks:email": OWNER.email,
    "hopsworks:password": OWNER.password,
    "databricks-integrations:endpoints": JSON.stringify({ ...h.databricks.sandbox.endpoints, ...h.hopsworks.endpoints }),
    ...overrides,
  });
  /** What a rejected lifecycle call said. */
  const failure = async (call: Promise<unknown>): Promise<string> => {
    const err = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof Error)) throw new Error("the call succeeded; a failure was expected");
    return err.message;
  };

  beforeAll(async () => {
    h = await startHopsworksTestSandbox({ timeScale: 0.001 });
    // A token that expires a second after it is made, as a person's 1-day token would by the next morning.
    const created = await h.databricks.call("POST", "/api/2.0/token/create", { token: ADMIN_TOKEN, body: { comment: "short-lived", lifetime_seconds: 1 } });
    expiredToken = created.body.token_value;
    await eventually(async () => (await h.databricks.call("GET", "/api/2.0/token/list", { token: expiredToken })).status === 403, 5_000, 100);
  });
  afterAll(async () => h?.close());

  /** How to replace a refused Databricks token, and every place this stack may read it from. */
  const TOKEN_ADVICE =
    /the token is invalid, expired or revoked: create a new one \(User Settings → Developer → Access tokens → Generate new token.*authToken, databricksToken\), `pulumi config set --secret databricks:token <token>`, or DATABRICKS_TOKEN/;

  test("an expired token in databricks:token: the access token's create says how to make and set a new one", async () => {
    await configure(tokenProvider, stackConfig({ "databricks:token": expiredToken }));
    const message = await failure(tokenProvider.create({ host: AWS_HOST, comment: "ci" }));
    expect(message).toMatch(/^Databricks token\/\S+ failed: HTTP 403: Invalid access token\./);
    expect(message).toMatch(TOKEN_ADVICE);
    expect(message).not.toContain(expiredToken);
  });

  test("an expired token in the resource's authToken: same advice", async () => {
    await configure(tokenProvider, stackConfig());
    const message = await failure(tokenProvider.create({ host: AWS_HOST, authToken: expiredToken }));
    expect(message).toMatch(TOKEN_ADVICE);
    expect(message).not.toContain(expiredToken);
  });

  test("an expired databricksToken on a configured cluster: same advice, before Hopsworks is asked anything", async () => {
    await configure(instanceProvider, stackConfig());
    await configure(clusterProvider, stackConfig());
    const raw = { project: PROJECT, hopsworksHost: HOPSWORKS_HOST, workspaceHost: AWS_HOST, apiKey: ALICE_TOKEN };
    const instance = await instanceProvider.check!({}, raw);
    await instanceProvider.create(instance.inputs);

    const checked = await clusterProvider.check!({}, { ...raw, apiKey: undefined, clusterId: MANAGED_CLUSTER, databricksToken: expiredToken });
    expect(checked.failures).toBeUndefined();
    const message = await failure(clusterProvider.create(checked.inputs));
    expect(message).toMatch(/^Databricks clusters\/get failed: HTTP 403: Invalid access token\./);
    expect(message).toMatch(TOKEN_ADVICE);
    expect(message).not.toContain(expiredToken);
  });

  test("a cluster id from another workspace: says so, and how to get the right id or workspace", async () => {
    // A real cluster, but in the Azure workspace; the stack points at the AWS one.
    const created = await h.databricks.call("POST", "/api/2.1/clusters/create", {
      host: AZURE_HOST,
      token: AZURE_ADMIN_TOKEN,
      body: { cluster_name: "elsewhere", spark_version: "15.4.x-scala2.12", node_type_id: "Standard_DS3_v2", num_workers: 1 },
    });
    expect(created.status).toBe(200);
    const otherId = created.body.cluster_id as string;

    await configure(instanceProvider, stackConfig());
    await configure(clusterProvider, stackConfig());
    const raw = { project: PROJECT, hopsworksHost: HOPSWORKS_HOST, workspaceHost: AWS_HOST };
    // Registered already by the test before, or now: registration is per user and adopted when the key matches.
    await instanceProvider.create((await instanceProvider.check!({}, { ...raw, apiKey: ALICE_TOKEN })).inputs);

    const checked = await clusterProvider.check!({}, { ...raw, clusterId: otherId });
    expect(checked.failures).toBeUndefined();
    const message = await failure(clusterProvider.create(checked.inputs));
    expect(message).toContain(`cluster ${otherId} does not exist in workspace ${AWS_HOST}`);
    expect(message).toMatch(/cluster id from another workspace/);
    expect(message).toMatch(
      /copy the id from this workspace's Compute page \(the cluster's URL …\/compute\/clusters\/<cluster-id>\), or, if the cluster is in another workspace, set workspaceHost to that workspace and register it with a HopsworksDatabricksInstance/,
    );
    expect(message).not.toContain(ALICE_TOKEN);
  });

  test("a wrong Hopsworks password: says which settings to check and how to set them", async () => {
    // Another user than the tests above, so no login session of this process is reused.
    const wrongPassword = "sandbox-wrong-password";
    await configure(instanceProvider, stackConfig({ "hopsworks:email": SCIENTIST.email, "hopsworks:password": wrongPassword }));
    const checked = await instanceProvider.check!({}, { project: PROJECT, hopsworksHost: HOPSWORKS_HOST, workspaceHost: AWS_HOST, apiKey: ALICE_TOKEN });
    const message = await failure(instanceProvider.create(checked.inputs));
    expect(message).toMatch(/^Hopsworks auth\/login failed: HTTP 401 160008: Authentication failed, invalid credentials/);
    expect(message).toMatch(
      /check hopsworks:email and hopsworks:password \(`pulumi config set --secret hopsworks:password <password>`, or HOPSWORKS_EMAIL \/ HOPSWORKS_PASSWORD\)/,
    );
    expect(message).not.toContain(wrongPassword);
  });
});

describe("a refused Qualytics token gets a message that says how to fix it", () => {
  let q: QualyticsHarness;
  beforeAll(async () => {
    q = await startQualyticsTestSandbox({ timeScale: 0.001 });
  });
  afterAll(async () => q?.close());

  test("a revoked or mistyped qualytics:token: make a new one and set it", async () => {
    const refused = "sandbox-revoked-qualytics-token";
    await datastoreProvider.configure!({
      config: {
        get: (key: string) =>
          ({
            "qualytics:url": `https://${QUALYTICS_HOST}/api`,
            "qualytics:token": refused,
            "databricks-integrations:endpoints": JSON.stringify(q.qualytics.endpoints),
          })[key],
      } as unknown as pulumi.Config,
    });
    const checked = await datastoreProvider.check!(
      {},
      {
        qualyticsUrl: `https://${QUALYTICS_HOST}/api`,
        name: "dbx_sales",
        serverHostname: AWS_HOST,
        httpPath: WAREHOUSE_PATH,
        personalAccessToken: ALICE_TOKEN,
      },
    );
    expect(checked.failures).toBeUndefined();
    const err = await datastoreProvider.create(checked.inputs).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/^Qualytics .+ failed: HTTP 401: Could not validate credentials — /);
    expect(err?.message).toMatch(
      /make a new API token in Qualytics \(Settings → Tokens\) and set it where this stack reads it: the resource's qualyticsToken input, `pulumi config set --secret qualytics:token <token>`, or QUALYTICS_TOKEN/,
    );
    expect(err?.message).not.toContain(refused);
    expect(err?.message).not.toContain(ALICE_TOKEN);
  });
});
