import type * as pulumi from "@pulumi/pulumi";
import { provider as tokenProvider } from "../../provider/databricks/access-token";
import { provider as instanceProvider } from "../../provider/hopsworks/databricks-instance";
import { provider as clusterProvider } from "../../provider/hopsworks/configured-cluster";
import { provider as sourceProvider } from "../../provider/qualytics/databricks-datastore";
import { provider as enrichmentProvider } from "../../provider/qualytics/databricks-enrichment-datastore";
import { readDatabricksError } from "../../provider/databricks/client";
import { normalizeErrorBody } from "../../provider/core/http";
import { readHopsworksError } from "../../provider/hopsworks/client";
import { readQualyticsError } from "../../provider/qualytics/client";

/**
 * Realistic input mistakes, each with the advice its check failure must give: what to write
 * instead, or where to set it. A mistake in a secret input (or in a value that carries a
 * credential) fails without `property`, so the engine does not print the value, and the reason
 * never quotes it. Runtime mistakes (an expired token, a cluster of another workspace) are in
 * test/sandbox/mistakes-runtime.test.ts.
 */

const AWS = "dbc-1a2b3c4d-5e6f.cloud.databricks.com";
const WAREHOUSE_PATH = "/sql/1.0/warehouses/abcdef0123456789";
const JDBC = `jdbc:databricks://${AWS}:443/default;transportMode=http;ssl=1;httpPath=${WAREHOUSE_PATH};AuthMech=3`;

type Kind = "token" | "instance" | "cluster" | "source" | "enrichment";

const resources: Record<Kind, { provider: pulumi.dynamic.ResourceProvider; base: Record<string, unknown>; secrets: string[] }> = {
  token: { provider: tokenProvider, base: { host: AWS }, secrets: ["authToken"] },
  instance: {
    provider: instanceProvider,
    base: { project: "fraud_detection", hopsworksHost: "hopsworks.example.com", workspaceHost: AWS, apiKey: "sandbox-not-a-real-token" },
    secrets: ["apiKey"],
  },
  cluster: {
    provider: clusterProvider,
    base: { project: "fraud_detection", hopsworksHost: "hopsworks.example.com", workspaceHost: AWS, clusterId: "0923-164208-abcd1234" },
    secrets: ["databricksToken"],
  },
  source: {
    provider: sourceProvider,
    base: {
      qualyticsUrl: "https://acme.qualytics.io/api",
      name: "dbx_sales",
      serverHostname: AWS,
      httpPath: WAREHOUSE_PATH,
      personalAccessToken: "sandbox-not-a-real-token",
    },
    secrets: ["qualyticsToken", "personalAccessToken"],
  },
  enrichment: {
    provider: enrichmentProvider,
    base: {
      qualyticsUrl: "https://acme.qualytics.io/api",
      name: "dbx_enrichment",
      serverHostname: AWS,
      httpPath: WAREHOUSE_PATH,
      personalAccessToken: "sandbox-not-a-real-token",
    },
    secrets: ["qualyticsToken", "personalAccessToken"],
  },
};

interface Mistake {
  what: string;
  kind: Kind;
  inputs: Record<string, unknown>;
  /** The field the failure must name. */
  field: string;
  /** The fix the message must state. */
  advice: RegExp;
  /** A value that must appear nowhere in the failures (besides the secret inputs themselves). */
  hidden?: string;
}

const mistakes: Mistake[] = [
  // A URL where a host is expected.
  {
    what: "a workspace URL as Qualytics' Server Hostname",
    kind: "source",
    inputs: { serverHostname: "https://dbc-1234.cloud.databricks.com" },
    field: "serverHostname",
    advice: /only its host: "dbc-1234\.cloud\.databricks\.com"/,
  },
  {
    what: "an http:// Hopsworks URL",
    kind: "instance",
    inputs: { hopsworksHost: "http://hopsworks.example.com" },
    field: "hopsworksHost",
    advice: /HTTPS only: use "hopsworks\.example\.com"/,
  },
  {
    what: "a Hopsworks project page URL",
    kind: "cluster",
    inputs: { hopsworksHost: "https://hopsworks.example.com/p/119/fs" },
    field: "hopsworksHost",
    advice: /use only the host \(and port\), e\.g\. hopsworks\.example\.com/,
  },
  {
    what: "a Hopsworks host with a port (which would be dropped)",
    kind: "cluster",
    inputs: { hopsworksHost: "hopsworks.example.com:8181" },
    field: "hopsworksHost",
    advice: /use "hopsworks\.example\.com" and set hopsworksPort: 8181/,
  },
  {
    what: "the account console instead of a workspace",
    kind: "token",
    inputs: { host: "https://accounts.cloud.databricks.com" },
    field: "host",
    advice: /account console, not a workspace: use the host of the workspace itself/,
  },
  // A workspace URL with a path.
  {
    what: "a job page URL as the workspace host",
    kind: "instance",
    inputs: { workspaceHost: "https://adb-123.4.azuredatabricks.net/?o=123#job/5" },
    field: "workspaceHost",
    advice: /without a path \("\/\?o=123#job\/5"\): use "adb-123\.4\.azuredatabricks\.net"/,
  },
  {
    what: "a folder page URL as the token's host",
    kind: "token",
    inputs: { host: "https://adb-123.4.azuredatabricks.net/browse/folders/1" },
    field: "host",
    advice: /without a path .*: use "adb-123\.4\.azuredatabricks\.net"/,
  },
  {
    what: "a workspace page URL as Server Hostname",
    kind: "enrichment",
    inputs: { serverHostname: "https://adb-123.4.azuredatabricks.net/?o=123#job/5" },
    field: "serverHostname",
    advice: /only its host: "adb-123\.4\.azuredatabricks\.net"/,
  },
  // JDBC.
  {
    what: "a whole JDBC URL as the HTTP path",
    kind: "source",
    inputs: { httpPath: JDBC },
    field: "httpPath",
    advice: /use only its httpPath: "\/sql\/1\.0\/warehouses\/abcdef0123456789"/,
  },
  {
    what: "an HTTP path with a leading jdbc:",
    kind: "source",
    inputs: { httpPath: `jdbc:${WAREHOUSE_PATH}` },
    field: "httpPath",
    advice: /use the path without it: "\/sql\/1\.0\/warehouses\/abcdef0123456789"/,
  },
  {
    what: "a JDBC URL with the token in it (PWD=) as the HTTP path",
    kind: "enrichment",
    inputs: { httpPath: `${JDBC};UID=token;PWD=sandbox-pwd-inside-jdbc` },
    field: "httpPath",
    advice: /use only its httpPath: "\/sql\/1\.0\/warehouses\/abcdef0123456789"/,
    hidden: "sandbox-pwd-inside-jdbc",
  },
  {
    what: "a JDBC URL as Server Hostname",
    kind: "source",
    inputs: { serverHostname: JDBC },
    field: "serverHostname",
    advice: new RegExp(`is a JDBC URL; use only its host: "${AWS.replace(/\./g, "\\.")}"`),
  },
  {
    what: "the HTTP path as a full URL",
    kind: "source",
    inputs: { httpPath: `https://${AWS}${WAREHOUSE_PATH}` },
    field: "httpPath",
    advice: /use only its path: "\/sql\/1\.0\/warehouses\/abcdef0123456789"/,
  },
  {
    what: "an ODBC-style httpPath= assignment",
    kind: "source",
    inputs: { httpPath: `HTTPPath=${WAREHOUSE_PATH}` },
    field: "httpPath",
    advice: /use only the value: "\/sql\/1\.0\/warehouses\/abcdef0123456789"/,
  },
  {
    what: "the warehouse's page URL as the HTTP path",
    kind: "source",
    inputs: { httpPath: `https://${AWS}/sql/warehouses/abcdef0123456789?o=123` },
    field: "httpPath",
    advice: /its HTTP path is "\/sql\/1\.0\/warehouses\/abcdef0123456789"/,
  },
  {
    what: "a warehouse id alone as the HTTP path",
    kind: "enrichment",
    inputs: { httpPath: "abcdef0123456789" },
    field: "httpPath",
    advice: /the HTTP path is "\/sql\/1\.0\/warehouses\/abcdef0123456789"/,
  },
  // Clusters.
  {
    what: "a cluster name instead of its id",
    kind: "cluster",
    inputs: { clusterId: "feature-engineering" },
    field: "clusterId",
    advice: /cluster id like 0923-164208-abcd1234 .*copy it from the cluster's URL \(…\/compute\/clusters\/<cluster-id>\)/,
  },
  {
    what: "a cluster's page URL instead of its id",
    kind: "cluster",
    inputs: { clusterId: `https://${AWS}/compute/clusters/0923-164208-abcd1234?o=1` },
    field: "clusterId",
    advice: /use only the cluster id in it: "0923-164208-abcd1234"/,
  },
  {
    what: "a legacy cluster settings URL instead of its id",
    kind: "cluster",
    inputs: { clusterId: `https://${AWS}/#setting/clusters/0923-164208-abcd1234/configuration` },
    field: "clusterId",
    advice: /use only the cluster id in it: "0923-164208-abcd1234"/,
  },
  // Qualytics URLs.
  {
    what: "the Qualytics instance name alone",
    kind: "source",
    inputs: { qualyticsUrl: "acme" },
    field: "qualyticsUrl",
    advice: /use the instance URL, e\.g\. https:\/\/acme\.qualytics\.io\/api/,
  },
  {
    what: "an http:// Qualytics URL",
    kind: "enrichment",
    inputs: { qualyticsUrl: "http://acme.qualytics.io/api" },
    field: "qualyticsUrl",
    advice: /HTTPS only: use https:\/\/acme\.qualytics\.io\/api/,
  },
  {
    what: "a Qualytics page URL",
    kind: "source",
    inputs: { qualyticsUrl: "https://acme.qualytics.io/sources/12/overview" },
    field: "qualyticsUrl",
    advice: /use the instance URL, e\.g\. https:\/\/acme\.qualytics\.io\/api/,
  },
  // Numbers read with config.get instead of config.getNumber.
  {
    what: "a Hopsworks port as a string",
    kind: "instance",
    inputs: { hopsworksPort: "443" },
    field: "hopsworksPort",
    advice: /not the string "443": pass 443 \(config\.getNumber/,
  },
  { what: "a Hopsworks port of 0", kind: "cluster", inputs: { hopsworksPort: 0 }, field: "hopsworksPort", advice: /must be at least 1/ },
  { what: "a token lifetime as a string", kind: "token", inputs: { lifetimeDays: "90" }, field: "lifetimeDays", advice: /not the string "90": pass 90/ },
  {
    what: "an enrichment datastore id as a string",
    kind: "source",
    inputs: { enrichmentDatastoreId: "7" },
    field: "enrichmentDatastoreId",
    advice: /not the string "7": pass 7/,
  },
  // Unity Catalog names and lists.
  {
    what: "catalog.schema in catalog",
    kind: "source",
    inputs: { catalog: "main.sales" },
    field: "catalog",
    advice: /set catalog: "main" and database: "sales"/,
  },
  {
    what: "catalog.schema in database",
    kind: "enrichment",
    inputs: { catalog: "main", database: "main.sales" },
    field: "database",
    advice: /set catalog: "main" and database: "sales"/,
  },
  { what: "a database without its catalog", kind: "source", inputs: { database: "sales" }, field: "database", advice: /needs `catalog`/ },
  {
    what: "one team as a string, not a list",
    kind: "source",
    inputs: { teams: "Public" },
    field: "teams",
    advice: /must be a list of team names, e\.g\. \["Public"\]/,
  },
  // Settings that depend on each other, and missing configuration.
  { what: "rotation without a lifetime", kind: "token", inputs: { rotateBeforeDays: 7 }, field: "rotateBeforeDays", advice: /needs lifetimeDays/ },
  {
    what: "no workspace host anywhere",
    kind: "token",
    inputs: { host: undefined },
    field: "host",
    advice: /pulumi config set databricks:host <workspace-url>`, or DATABRICKS_HOST/,
  },
  {
    what: "no Hopsworks project anywhere",
    kind: "instance",
    inputs: { project: undefined },
    field: "project",
    advice: /pulumi config set hopsworks:project <name>`, or HOPSWORKS_PROJECT/,
  },
  {
    what: "a project name with a space",
    kind: "cluster",
    inputs: { project: "fraud detection" },
    field: "project",
    advice: /letters, digits and underscores only/,
  },
  {
    what: "an unknown secrets store",
    kind: "cluster",
    inputs: { secretsStore: "vault" },
    field: "secretsStore",
    advice: /must be one of secretsmanager, parameterstore, local/,
  },
];

/** Every secret input, with every way a pasted token goes wrong. */
const SECRET_INPUTS: [Kind, string][] = [
  ["token", "authToken"],
  ["instance", "apiKey"],
  ["cluster", "databricksToken"],
  ["source", "personalAccessToken"],
  ["source", "qualyticsToken"],
  ["enrichment", "personalAccessToken"],
  ["enrichment", "qualyticsToken"],
];
const TOKEN_SLIPS: [string, (t: string) => string, RegExp][] = [
  ["a trailing newline", (t) => `${t}\n`, /has leading or trailing whitespace .*remove it where the value is set/],
  ["a leading space", (t) => ` ${t}`, /has leading or trailing whitespace .*remove it where the value is set/],
  ["an internal space", (t) => t.replace("-", " "), /contains whitespace, which a token never does: check what was pasted/],
  ["an Authorization header's scheme", (t) => `Bearer ${t}`, /starts with "Bearer " .*set only the token itself/],
  ["nothing (empty)", () => "", /must not be empty/],
];
for (const [kind, field] of SECRET_INPUTS) {
  for (const [slip, make, advice] of TOKEN_SLIPS) {
    const value = make(`sandbox-secret-${field}-value`);
    mistakes.push({ what: `${field} (${kind}) with ${slip}`, kind, inputs: { [field]: value }, field, advice, hidden: value.trim() || undefined });
  }
}

/** Inputs that look wrong but are accepted and normalised: no failure, the value as meant. */
const accepted: { what: string; kind: Kind; inputs: Record<string, unknown>; field: string; becomes: unknown }[] = [
  {
    what: "an https:// Hopsworks URL",
    kind: "instance",
    inputs: { hopsworksHost: "https://hopsworks.example.com" },
    field: "hopsworksHost",
    becomes: "hopsworks.example.com",
  },
  {
    what: "a workspace URL where a host is taken",
    kind: "instance",
    inputs: { workspaceHost: `https://${AWS.toUpperCase()}/` },
    field: "workspaceHost",
    becomes: AWS,
  },
  {
    what: "a Qualytics URL without /api",
    kind: "source",
    inputs: { qualyticsUrl: "https://acme.qualytics.io" },
    field: "qualyticsUrl",
    becomes: "https://acme.qualytics.io",
  },
  {
    what: "a cluster id with spaces around it",
    kind: "cluster",
    inputs: { clusterId: " 0923-164208-abcd1234 " },
    field: "clusterId",
    becomes: "0923-164208-abcd1234",
  },
];

const check = (kind: Kind, inputs: Record<string, unknown>) => resources[kind].provider.check!({}, { ...resources[kind].base, ...inputs });

describe("realistic mistakes get a message that says how to fix them", () => {
  test.each(mistakes.map((m) => [m.what, m] as const))("%s", async (_what, m) => {
    const result = await check(m.kind, m.inputs);
    const failures = result.failures ?? [];
    const mine = failures.filter((f) => f.property === m.field || (f.property === "" && f.reason.startsWith(`${m.field}:`)));
    expect({ failures, count: mine.length }).toEqual({ failures, count: 1 });
    expect(mine[0]!.reason).toMatch(m.advice);

    // Secret inputs, and values that carry a credential, fail without `property` (the engine
    // prints the value of a failure's property) and are never quoted.
    const secret = resources[m.kind].secrets.includes(m.field) || m.hidden !== undefined;
    if (secret) expect(mine[0]!.property).toBe("");
    const shown = JSON.stringify(failures);
    if (m.hidden) expect(shown).not.toContain(m.hidden);
    for (const key of resources[m.kind].secrets) {
      const value = { ...resources[m.kind].base, ...m.inputs }[key];
      if (typeof value === "string" && value.trim()) expect(shown).not.toContain(value.trim());
    }
  });

  test.each(accepted.map((a) => [a.what, a] as const))("accepted: %s", async (_what, a) => {
    const result = await check(a.kind, a.inputs);
    expect(result.failures).toBeUndefined();
    expect(result.inputs[a.field]).toEqual(a.becomes);
  });
});

/**
 * Service answers a person can act on, read as the HTTP layer reads them: the hint is appended to
 * the service's own words. (The sandbox-backed versions are in test/sandbox/mistakes-runtime.test.ts;
 * these are the shapes the sandboxes do not produce, or produce only through a slow retry path.)
 */
describe("service errors carry the fix", () => {
  test.each([
    [
      "a real workspace's 403 for an expired token",
      readDatabricksError({ error_code: "403", message: "Invalid access token." }, 403),
      /the token is invalid, expired or revoked: create a new one/,
    ],
    [
      "the same with a numeric error_code",
      readDatabricksError({ error_code: 403, message: "Invalid access token." }, 403),
      /the token is invalid, expired or revoked: create a new one/,
    ],
    [
      "an older front end's HTML page, as the HTTP layer hands it on",
      readDatabricksError(
        normalizeErrorBody("<html><head><title>Error 403 Invalid access token.</title></head><body><pre>    Invalid access token.</pre></body></html>", {}),
        403,
      ),
      /rotate it where this stack reads it/,
    ],
    ["a token quota reached", readDatabricksError({ error_code: "QUOTA_EXCEEDED", message: "Cannot create more than 600 tokens." }, 400), /revoke unused ones/],
    ["Databricks 401 without a body", readDatabricksError("", 401), /databricks:token <token>`, or DATABRICKS_TOKEN/],
    [
      "Hopsworks passing on Databricks' refusal of the registered token (270125)",
      readHopsworksError({ errorCode: 270125, errorMsg: "Error communicating with Databricks", usrMsg: "Invalid access token." }, 500),
      /token registered in Hopsworks for this workspace was refused \(expired or revoked\): give the HopsworksDatabricksInstance a new apiKey/,
    ],
    [
      "a deleted Hopsworks API key",
      readHopsworksError({ errorCode: 320002, errorMsg: "Api key not found" }, 401),
      /create one under Account settings → API keys/,
    ],
    ["Qualytics 401", readQualyticsError({ detail: "Not authenticated" }, 401), /pulumi config set --secret qualytics:token <token>`, or QUALYTICS_TOKEN/],
  ])("%s", (_what, read, hint) => {
    expect(read.hint).toMatch(hint);
  });

  test.each([
    ["a Databricks permission refusal", readDatabricksError({ error_code: "PERMISSION_DENIED", message: "User alice does not have Manage permission" }, 403)],
    [
      "Hopsworks' other Databricks errors",
      readHopsworksError({ errorCode: 270125, errorMsg: "Error communicating with Databricks", usrMsg: "INVALID_STATE: cluster is pending" }, 500),
    ],
    ["a Qualytics validation error", readQualyticsError({ detail: [{ loc: ["body", "name"], msg: "field required" }] }, 422)],
  ])("no token advice for %s", (_what, read) => {
    expect(read.hint).toBeUndefined();
  });
});
