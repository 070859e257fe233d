import fc from "fast-check";
import type * as pulumi from "@pulumi/pulumi";
import { UNKNOWN } from "../../provider/core/check";
import { accessTokenInputsSchema, provider as accessTokenProvider } from "../../provider/databricks/access-token";
import { instanceInputsSchema, provider as instanceProvider } from "../../provider/hopsworks/databricks-instance";
import { configuredClusterInputsSchema, provider as clusterProvider } from "../../provider/hopsworks/configured-cluster";
import { databricksDatastoreInputsSchema, provider as sourceProvider } from "../../provider/qualytics/databricks-datastore";
import { enrichmentDatastoreInputsSchema, provider as enrichmentProvider } from "../../provider/qualytics/databricks-enrichment-datastore";

/**
 * Property-based tests over every resource's input schema: whatever the engine hands `check`,
 * the provider answers with inputs, or with failures that each name a field of the schema
 * (`property` set to it, or, for secrets, `property: ""` and a reason starting with it), never
 * with an exception, and never with a secret's value in a reason.
 */

type Provider = pulumi.dynamic.ResourceProvider;
type Arbitraries = Record<string, fc.Arbitrary<unknown>>;

// Enough to cover every field with every kind of value several times; FUZZ_RUNS=5000 digs deeper.
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
jest.setTimeout(120_000);
const ABSENT = Symbol("absent");

// ---- generic values ----------------------------------------------------------------------

/** Strings people paste and strings nobody should: empty, blank, invisible, other scripts, long. */
const oddStrings = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "\n",
    "\t",
    "\u00a0",
    "\u200b",
    "\u0000",
    "😀",
    "é",
    "İ",
    "ﬀ",
    "null",
    "undefined",
    "NaN",
    "0",
    "-1",
    "true",
    "{}",
    "[]",
    UNKNOWN,
    ` ${UNKNOWN}`,
  ),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ minLength: 300, maxLength: 5000 }),
);

/** Numbers at every edge a JSON number (and a protobuf double) can take. */
const oddNumbers = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1.5,
    NaN,
    Infinity,
    -Infinity,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.MAX_SAFE_INTEGER,
    2 ** 53 + 2,
    1e308,
    -1e308,
    65536,
    3651,
  ),
  fc.double(),
  fc.integer(),
);

/**
 * Everything the engine could put in a property: it packs inputs into protobuf Structs, so
 * values are JSON-like (no undefined, bigint, functions or dates), plus NaN and infinities, plus
 * the unknown sentinel anywhere, nested too.
 */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  oddStrings,
  oddNumbers,
  fc.constantFrom(null, true, false, UNKNOWN),
  fc.array(fc.oneof(oddStrings, oddNumbers, fc.constant(UNKNOWN)), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(UNKNOWN)), { maxKeys: 5 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A plausible string, then the usual slips: whitespace, a scheme, a path, another case. */
const nearMiss = (valid: fc.Arbitrary<string>) =>
  fc
    .tuple(
      valid,
      fc.constantFrom("", " ", "\n", "https://", "http://", "jdbc:", "Bearer ", "ftp://"),
      fc.constantFrom("", " ", "\n", "/", "/path?o=1#x", ":443", ":8181", ";x=1", " y"),
      fc.boolean(),
    )
    .map(([v, before, after, upper]) => (upper ? `${before}${v}${after}`.toUpperCase() : `${before}${v}${after}`));

// ---- plausible values --------------------------------------------------------------------

const workspaceHosts = fc.constantFrom(
  "dbc-1a2b3c4d-5e6f.cloud.databricks.com",
  "adb-1234567890123456.7.azuredatabricks.net",
  "1234567890123456.7.gcp.databricks.com",
  "acme.cloud.databricks.us",
);
const workspaceUrls = fc.oneof(
  workspaceHosts,
  workspaceHosts.map((h) => `https://${h}`),
  workspaceHosts.map((h) => `https://${h.toUpperCase()}/`),
);
const hopsworksHosts = fc.constantFrom("hopsworks.example.com", "c.app.hopsworks.ai", "https://hopsworks.example.com", "https://hopsworks.example.com:443/");
const qualyticsUrls = fc.constantFrom("https://acme.qualytics.io/api", "https://acme.qualytics.io", "acme.qualytics.io", "https://acme.qualytics.io/api/");
/** Token-like strings, generated (never a real token's shape). */
const tokens = fc.stringMatching(/^sandbox-[A-Za-z0-9_-]{4,40}$/);
const httpPaths = fc.oneof(
  fc.stringMatching(/^\/sql\/1\.0\/warehouses\/[a-f0-9]{16}$/),
  fc.stringMatching(/^sql\/protocolv1\/o\/\d{16}\/\d{4}-\d{6}-[a-z0-9]{8}$/),
);
const clusterIds = fc.stringMatching(/^\d{4}-\d{6}-[a-z0-9]{8}$/);
const names = fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s.length >= 1);
const unityNames = fc.stringMatching(/^[a-z_][a-z0-9_]{0,20}$/);

// ---- the resources -----------------------------------------------------------------------

interface Resource {
  name: string;
  provider: Provider;
  keys: string[];
  secrets: string[];
  /** A valid value for every field (optional ones may be left out). */
  valid: Arbitraries;
  /** Values valid for a field on its own where `valid` leaves it out for a cross-field rule. */
  alone?: Arbitraries;
  /** Inputs that pass the schema's cross-field rules too. */
  validInputs: fc.Arbitrary<Record<string, unknown>>;
}

const keysOf = (schema: unknown) => Object.keys((schema as { shape: Record<string, unknown> }).shape);

/** Builds inputs from one arbitrary per field; ABSENT leaves the field out. */
const inputsOf = (fields: Arbitraries) => fc.record(fields).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== ABSENT)));

const maybe = (a: fc.Arbitrary<unknown>) => fc.oneof({ weight: 1, arbitrary: fc.constant(ABSENT) }, { weight: 3, arbitrary: a });

const tokenValid: Arbitraries = {
  host: workspaceUrls,
  authToken: maybe(tokens),
  comment: maybe(fc.string({ maxLength: 200 })),
  lifetimeDays: maybe(fc.integer({ min: 1, max: 3650 })),
  rotateBeforeDays: fc.constant(ABSENT),
};
const tokenInputs = fc
  .tuple(inputsOf(tokenValid), fc.option(fc.integer({ min: 2, max: 3650 }).chain((life) => fc.tuple(fc.constant(life), fc.integer({ min: 1, max: life - 1 })))))
  .map(([inputs, rotation]) => (rotation ? { ...inputs, lifetimeDays: rotation[0], rotateBeforeDays: rotation[1] } : inputs));

const hopsworksValid: Arbitraries = {
  project: fc.stringMatching(/^[A-Za-z0-9_]{1,30}$/),
  hopsworksHost: hopsworksHosts,
  hopsworksPort: maybe(fc.integer({ min: 1, max: 65535 })),
  workspaceHost: workspaceUrls,
};
const instanceValid: Arbitraries = { ...hopsworksValid, apiKey: tokens };
const clusterValid: Arbitraries = {
  ...hopsworksValid,
  clusterId: fc.oneof(
    clusterIds,
    clusterIds.map((id) => ` ${id} `),
  ),
  targetUser: maybe(names),
  waitForRunning: maybe(fc.boolean()),
  runningTimeoutMinutes: maybe(fc.integer({ min: 1, max: 180 })),
  restoreOnDelete: maybe(fc.boolean()),
  databricksToken: maybe(tokens),
  // `local` needs apiKeyFile (a rule across fields): the valid set leaves it to the stores that do not.
  secretsStore: maybe(fc.constantFrom("secretsmanager", "parameterstore")),
  hostnameVerification: maybe(fc.boolean()),
  apiKeyFile: maybe(fc.constantFrom("/dbfs/FileStore/hopsworks/api-key", "/Workspace/Users/me/api-key")),
  clientLibrary: maybe(fc.constantFrom("hsfs~=3.7.0", "hopsworks[python]~=4.2.0", "hopsworks>=4.2,<4.3")),
  configureTimeoutMinutes: maybe(fc.integer({ min: 1, max: 120 })),
};
const datastoreValid: Arbitraries = {
  qualyticsUrl: qualyticsUrls,
  qualyticsToken: maybe(tokens),
  name: names,
  serverHostname: workspaceHosts,
  httpPath: httpPaths,
  catalog: maybe(unityNames),
  database: fc.constant(ABSENT),
  personalAccessToken: tokens,
  teams: maybe(fc.array(names, { maxLength: 3 })),
  tags: maybe(fc.array(names, { maxLength: 3 })),
  description: maybe(fc.string({ maxLength: 100 })),
  adopt: maybe(fc.boolean()),
};
/** `database` only with a `catalog` (a cross-field rule). */
const withDatabase = (inputs: fc.Arbitrary<Record<string, unknown>>) =>
  fc.tuple(inputs, fc.option(fc.tuple(unityNames, unityNames))).map(([i, cd]) => (cd ? { ...i, catalog: cd[0], database: cd[1] } : i));
const sourceValid: Arbitraries = {
  ...datastoreValid,
  enrichmentDatastoreId: maybe(fc.integer({ min: 1, max: 2 ** 31 })),
  triggerSync: maybe(fc.boolean()),
  enrichmentPrefix: maybe(fc.string({ minLength: 1, maxLength: 60 })),
  enrichmentSourceRecordLimit: maybe(fc.integer({ min: 1, max: 1_000_000 })),
  // append/overwrite need enrichmentDatastoreId (a cross-field rule), so alone only `none` is always valid.
  enrichmentRemediationStrategy: maybe(fc.constant("none")),
  highCountRollupThreshold: maybe(fc.integer({ min: 1, max: 1000 })),
};
const enrichmentValid: Arbitraries = {
  ...datastoreValid,
  enrichmentPrefix: maybe(fc.string({ minLength: 1, maxLength: 60 })),
  enrichmentSourceRecordLimit: maybe(fc.integer({ min: 1, max: 1_000_000 })),
  enrichmentRemediationStrategy: maybe(fc.constantFrom("none", "append", "overwrite")),
};

const resources: Resource[] = [
  {
    name: "DatabricksAccessToken",
    provider: accessTokenProvider,
    keys: keysOf(accessTokenInputsSchema),
    secrets: ["authToken"],
    valid: tokenValid,
    alone: { rotateBeforeDays: fc.integer({ min: 1, max: 3650 }) },
    validInputs: tokenInputs,
  },
  {
    name: "HopsworksDatabricksInstance",
    provider: instanceProvider,
    keys: keysOf(instanceInputsSchema),
    secrets: ["apiKey"],
    valid: instanceValid,
    validInputs: inputsOf(instanceValid),
  },
  {
    name: "HopsworksConfiguredCluster",
    provider: clusterProvider,
    keys: keysOf(configuredClusterInputsSchema),
    secrets: ["databricksToken"],
    valid: clusterValid,
    validInputs: inputsOf(clusterValid),
  },
  {
    name: "QualyticsDatabricksDatastore",
    provider: sourceProvider,
    keys: keysOf(databricksDatastoreInputsSchema),
    secrets: ["qualyticsToken", "personalAccessToken"],
    valid: sourceValid,
    alone: { database: unityNames },
    validInputs: withDatabase(inputsOf(sourceValid)),
  },
  {
    name: "QualyticsDatabricksEnrichmentDatastore",
    provider: enrichmentProvider,
    keys: keysOf(enrichmentDatastoreInputsSchema),
    secrets: ["qualyticsToken", "personalAccessToken"],
    valid: enrichmentValid,
    alone: { database: unityNames },
    validInputs: withDatabase(inputsOf(enrichmentValid)),
  },
];

/** Keys the engine or a careless program may add beside the schema's own. */
const extras = fc.dictionary(fc.constantFrom("__provider", "__proto__", "constructor", "toString", "hasOwnProperty", "extra", "value"), hostile, {
  maxKeys: 3,
});

/** Any field: left out, valid, a near miss of a valid string, or anything at all. */
const anyInputs = (r: Resource) => {
  const fields: Arbitraries = {};
  for (const key of r.keys) {
    const known = r.alone?.[key] ?? r.valid[key];
    // A field added to the schema since this test was written still gets the hostile values.
    if (!known) {
      fields[key] = fc.oneof(fc.constant(ABSENT), hostile);
      continue;
    }
    const valid = known.filter((v) => v !== ABSENT);
    const isText = fc.sample(valid, 20).some((v) => typeof v === "string");
    fields[key] = fc.oneof(
      { weight: 1, arbitrary: fc.constant(ABSENT) },
      { weight: 3, arbitrary: valid },
      { weight: isText ? 2 : 0, arbitrary: isText ? nearMiss(valid as fc.Arbitrary<string>) : fc.constant(ABSENT) },
      { weight: 3, arbitrary: hostile },
    );
  }
  // Extras first: a schema key always wins, as in a real program's inputs.
  return fc.tuple(extras, inputsOf(fields)).map(([extra, inputs]) => Object.assign(Object.fromEntries(Object.entries(extra)), inputs));
};

// ---- the property ------------------------------------------------------------------------

/** Runs check and states what must hold of any answer; returns the failures for further checks. */
async function checkHolds(r: Resource, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckFailure[]> {
  let result: pulumi.dynamic.CheckResult;
  try {
    result = await r.provider.check!({}, news);
  } catch (err) {
    throw new Error(`check threw instead of answering: ${err instanceof Error ? err.message : String(err)}`);
  }
  expect(result.inputs).toEqual(expect.any(Object));
  const failures = result.failures ?? [];
  for (const f of failures) {
    expect(typeof f.reason).toBe("string");
    if (f.property) {
      // The engine prints a property's value beside its failure: never a secret's.
      expect(r.keys).toContain(f.property);
      expect(r.secrets).not.toContain(f.property);
      expect(f.reason.startsWith(`${f.property}:`) || f.reason.startsWith(`${f.property}.`)).toBe(true);
    } else {
      const named = r.keys.filter((k) => f.reason.startsWith(`${k}:`) || f.reason.startsWith(`${k}.`));
      expect({ reason: f.reason, names: named.length > 0 }).toEqual({ reason: f.reason, names: true });
    }
  }
  // No secret's value in any reason (unless another field holds the same text, which may be shown).
  const reasons = failures.map((f) => f.reason).join("\n");
  for (const key of r.secrets) {
    const value = news[key];
    if (typeof value !== "string" || value.trim().length < 6) continue;
    const elsewhere = Object.entries(news).some(([k, v]) => k !== key && JSON.stringify(v ?? null).includes(value.trim()));
    if (!elsewhere) expect(reasons).not.toContain(value.trim());
  }
  return failures;
}

describe.each(resources)("$name check, property-based", (r) => {
  test("any inputs: inputs, or failures that each name a field; never a throw, never a secret", async () => {
    await fc.assert(
      fc.asyncProperty(anyInputs(r), async (news) => {
        await checkHolds(r, news);
      }),
      { numRuns: RUNS },
    );
  });

  test("valid inputs pass, and still pass with any fields unknown (preview)", async () => {
    await fc.assert(
      fc.asyncProperty(r.validInputs, fc.array(fc.constantFrom(...r.keys), { maxLength: 4 }), async (valid, unknownKeys) => {
        expect(await checkHolds(r, valid)).toEqual([]);
        const previewed = { ...valid, ...Object.fromEntries(unknownKeys.map((k) => [k, UNKNOWN])) };
        expect(await checkHolds(r, previewed)).toEqual([]);
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  test("each field alone made hostile fails on that field only, or passes", async () => {
    await fc.assert(
      fc.asyncProperty(r.validInputs, fc.constantFrom(...r.keys), hostile, async (valid, key, bad) => {
        const failures = await checkHolds(r, { ...valid, [key]: bad });
        for (const f of failures) {
          // A field's failure, or a cross-field rule that names the field it constrains.
          const field = f.property || f.reason.split(/[:.]/)[0];
          const crossField = (key === "lifetimeDays" && field === "rotateBeforeDays") || (key === "catalog" && field === "database");
          expect({ key, field: crossField ? key : field }).toEqual({ key, field: key });
        }
      }),
      { numRuns: RUNS },
    );
  });
});
