import { provider } from "../../provider/databricks/access-token";
import { UNKNOWN } from "../../provider/core/check";

const check = (news: Record<string, unknown>) => provider.check!({}, news);

describe("DatabricksAccessToken check", () => {
  test("valid inputs pass and the host is normalised", async () => {
    const result = await check({ host: "https://dbc-1a2b3c4d-5e6f.cloud.databricks.com", lifetimeDays: 7, __provider: "x" });
    expect(result.failures).toBeUndefined();
    expect(result.inputs).toMatchObject({ host: "dbc-1a2b3c4d-5e6f.cloud.databricks.com", lifetimeDays: 7, __provider: "x" });
  });

  test.each([
    [{ lifetimeDays: 0 }, "lifetimeDays", /must be at least 1 day/],
    [{ lifetimeDays: 1.5 }, "lifetimeDays", /whole number of days/],
    [{ lifetimeDays: "7" }, "lifetimeDays", /must be a number of days/],
    [{ host: "example.com" }, "host", /not a Databricks workspace host/],
    [{ host: undefined }, "host", /required: set the `host` input, or `pulumi config set databricks:host/],
    [{ rotateBeforeDays: 3 }, "rotateBeforeDays", /needs lifetimeDays/],
    [{ lifetimeDays: 3, rotateBeforeDays: 3 }, "rotateBeforeDays", /must be less than lifetimeDays \(3\)/],
  ])("%j fails on %s", async (override, property, reason) => {
    const result = await check({ host: "dbc-1a2b3c4d-5e6f.cloud.databricks.com", ...override });
    expect(result.failures).toEqual([{ property, reason: expect.stringMatching(reason) }]);
  });

  test("unknown values (preview) are not judged", async () => {
    const result = await check({ host: UNKNOWN, lifetimeDays: UNKNOWN });
    expect(result.failures).toBeUndefined();
  });

  test("a bad secret input is refused without echoing its value", async () => {
    // A failure without `property`: with one, the engine would print the value beside it.
    const result = await check({ host: "dbc-1a2b3c4d-5e6f.cloud.databricks.com", authToken: " my-secret-pat\n" });
    expect(result.failures).toEqual([{ property: "", reason: expect.stringMatching(/^authToken: has leading or trailing whitespace/) }]);
    expect(JSON.stringify(result.failures)).not.toContain("my-secret-pat");
  });

  test("rotation: diff replaces a token inside its rotation window, not before", async () => {
    const day = 86_400_000;
    const olds = { host: "h", lifetimeDays: 30, rotateBeforeDays: 5, comment: "c", expiryTime: new Date(Date.now() + 10 * day).toISOString() };
    const news = { host: "h", lifetimeDays: 30, rotateBeforeDays: 5, comment: "c" };
    expect(await provider.diff!("id", olds, news)).toMatchObject({ changes: false, replaces: [] });
    expect(await provider.diff!("id", olds, { ...news, rotateBeforeDays: 12 })).toMatchObject({ changes: true, replaces: ["expiryTime"] });
    expect(await provider.diff!("id", olds, { ...news, comment: "other" })).toMatchObject({ changes: true, replaces: ["comment"] });
  });
});
