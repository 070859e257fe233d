import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { fieldTable } from "../../provider/core/fields";
import { accessTokenFields, accessTokenInputsSchema } from "../../provider/databricks/access-token";
import { configuredClusterFields, configuredClusterInputsSchema } from "../../provider/hopsworks/configured-cluster";
import { instanceFields, instanceInputsSchema } from "../../provider/hopsworks/databricks-instance";
import { databricksDatastoreFields, databricksDatastoreInputsSchema } from "../../provider/qualytics/databricks-datastore";
import { enrichmentDatastoreFields, enrichmentDatastoreInputsSchema } from "../../provider/qualytics/databricks-enrichment-datastore";

const schema = z.object({ host: z.string(), note: z.string().optional(), key: z.string(), adopt: z.boolean().optional() });
interface Outputs extends z.infer<typeof schema> {
  id: string;
  secretValue: string;
}
const fields = fieldTable(schema, { host: "replace", note: "update", key: "secret update", adopt: "none" }).withOutputs<Outputs>({
  id: "plain",
  secretValue: "secret",
});

describe("field tables", () => {
  test("a missing or misspelt field is a type error (checked by tsc)", () => {
    // @ts-expect-error `key` is missing
    fieldTable(schema, { host: "replace", note: "update", adopt: "none" });
    // @ts-expect-error `nots` is no input of the schema
    fieldTable(schema, { host: "replace", nots: "update", key: "update", adopt: "none" });
    // @ts-expect-error the output `secretValue` is missing
    fieldTable(schema, fields.inputs).withOutputs<Outputs>({ id: "plain" });
    expect(fields.inputKeys).toEqual(["host", "note", "key", "adopt"]);
  });

  test("secrets, output placeholders and input keys come from the table", () => {
    expect(fields.secretInputs).toEqual(["key"]);
    expect(fields.secretOutputs).toEqual(["key", "secretValue"]);
    expect(fields.outputPlaceholders).toEqual({ id: undefined, secretValue: undefined });
    expect(fields.withSecretOutputs({ additionalSecretOutputs: ["other"], protect: true })).toEqual({
      protect: true,
      additionalSecretOutputs: ["key", "secretValue", "other"],
    });
  });

  test("constructor inputs: as given, secrets wrapped, the constructor's own values over them, a placeholder per output", async () => {
    const inputs = fields.resourceInputs({ host: "h", note: "given", key: "k" }, { note: "set" });
    expect(Object.keys(inputs)).toEqual(["host", "note", "key", "adopt", "id", "secretValue"]);
    expect(inputs).toMatchObject({ host: "h", note: "set", adopt: undefined, id: undefined, secretValue: undefined });
    expect(await pulumi.isSecret(inputs.key as pulumi.Output<string>)).toBe(true);
    expect(fields.resourceInputs({}).key).toBeUndefined();
    // @ts-expect-error `hots` is no input: an argument the table does not know would be dropped
    fields.resourceInputs({ hots: "h" });
  });

  test("the diff: replacing inputs, inputs updated in place, inputs that are no change, overrides", () => {
    const olds = { host: "h", note: "n", key: "k", adopt: false };
    expect(fields.diff(olds, olds)).toEqual({ replaces: [], changes: false });
    expect(fields.diff(olds, { ...olds, host: "other", note: "other" })).toEqual({ replaces: ["host"], changes: true });
    expect(fields.diff(olds, { ...olds, key: "rotated" })).toEqual({ replaces: [], changes: true });
    expect(fields.diff(olds, { ...olds, adopt: true })).toEqual({ replaces: [], changes: false });
    // Absent is the same as null; an override decides for its input alone.
    expect(fields.diff({ ...olds, note: undefined }, { ...olds, note: null })).toEqual({ replaces: [], changes: false });
    expect(fields.diff(olds, { ...olds, host: "H" }, { host: (a, b) => String(a).toLowerCase() === String(b).toLowerCase() })).toEqual({
      replaces: [],
      changes: false,
    });
  });

  test.each([
    ["DatabricksAccessToken", accessTokenFields, accessTokenInputsSchema, ["authToken"], ["authToken", "value"]],
    ["HopsworksDatabricksInstance", instanceFields, instanceInputsSchema, ["apiKey"], ["apiKey"]],
    ["HopsworksConfiguredCluster", configuredClusterFields, configuredClusterInputsSchema, ["databricksToken"], ["databricksToken"]],
    [
      "QualyticsDatabricksDatastore",
      databricksDatastoreFields,
      databricksDatastoreInputsSchema,
      ["qualyticsToken", "personalAccessToken"],
      ["qualyticsToken", "personalAccessToken"],
    ],
    [
      "QualyticsDatabricksEnrichmentDatastore",
      enrichmentDatastoreFields,
      enrichmentDatastoreInputsSchema,
      ["qualyticsToken", "personalAccessToken"],
      ["qualyticsToken", "personalAccessToken"],
    ],
  ] as const)("%s: every schema input in the table, and its secrets", (_type, table, inputSchema, secretInputs, secretOutputs) => {
    expect(table.inputKeys).toEqual(Object.keys(inputSchema.shape));
    expect(Object.keys(table.inputs).sort()).toEqual(Object.keys(inputSchema.shape).sort());
    expect(table.secretInputs).toEqual(secretInputs);
    expect(table.secretOutputs).toEqual(secretOutputs);
  });
});
