import { parseWorkspaceHost } from "../../provider/databricks/host";

describe("workspace host validation", () => {
  test.each([
    ["dbc-1a2b3c4d-5e6f.cloud.databricks.com", "dbc-1a2b3c4d-5e6f.cloud.databricks.com"],
    ["https://DBC-1a2b3c4d-5e6f.cloud.databricks.com/", "dbc-1a2b3c4d-5e6f.cloud.databricks.com"],
    ["adb-1234567890123456.7.azuredatabricks.net", "adb-1234567890123456.7.azuredatabricks.net"],
    ["1234567890123456.7.gcp.databricks.com", "1234567890123456.7.gcp.databricks.com"],
    ["acme.cloud.databricks.us", "acme.cloud.databricks.us"],
    ["adb-1.2.databricks.azure.cn", "adb-1.2.databricks.azure.cn"],
  ])("accepts %s", (raw, host) => {
    expect(parseWorkspaceHost(raw)).toEqual({ host });
  });

  test.each([
    ["https://dbc-1a2b3c4d-5e6f.cloud.databricks.com/?o=123#job/1", /without a path/],
    ["dbc-1a2b3c4d-5e6f.cloud.databricks.com/sql/1.0/warehouses/abc", /without a path \("\/sql\/1.0\/warehouses\/abc"\)/],
    [" dbc-1a2b3c4d-5e6f.cloud.databricks.com", /whitespace/],
    ["example.com", /is not a Databricks workspace host; expected forms are AWS: dbc-.*Azure: adb-.*GCP: /],
    ["jdbc:databricks://dbc-1a2b3c4d-5e6f.cloud.databricks.com:443", /is a JDBC URL; use only its host: "dbc-1a2b3c4d-5e6f.cloud.databricks.com"/],
  ])("rejects %s with a message that says how to fix it", (raw, message) => {
    const parsed = parseWorkspaceHost(raw);
    expect("error" in parsed && parsed.error).toMatch(message);
  });
});
