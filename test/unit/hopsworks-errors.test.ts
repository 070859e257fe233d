import { readHopsworksError } from "../../provider/hopsworks/client";
import { clientOf, defaultClientLibrary, releaseFamily } from "../../provider/hopsworks/release-family";

/** Hopsworks' error bodies, read the way the HTTP layer words a failure: code, what was said, what to do. */
describe("Hopsworks errors no retry fixes get their own messages", () => {
  test("password login disabled, a two-factor account, a locked account", () => {
    expect(
      readHopsworksError({ errorCode: 160008, errorMsg: "Authentication failed, invalid credentials", usrMsg: "Password login not allowed" }, 401),
    ).toEqual({
      code: "160008",
      detail: "Authentication failed, invalid credentials: Password login not allowed",
      hint: expect.stringMatching(/does not allow password logins .*service account/),
    });
    expect(readHopsworksError({ errorCode: 120002, errorMsg: "A runtime error occurred.", usrMsg: "Second factor required" }, 400).hint).toMatch(
      /two-factor authentication.*without two-factor/,
    );
    expect(readHopsworksError({ errorCode: 160007, errorMsg: "Your account has been blocked. Contact the administrator." }, 401).hint).toMatch(
      /locked or deactivated.*administrator/,
    );
    // A wrong password keeps its own advice.
    expect(readHopsworksError({ errorCode: 160008, errorMsg: "Authentication failed, invalid credentials" }, 401).hint).toMatch(/hopsworks:password/);
  });

  test("160049 on register names the secret to delete", () => {
    expect(readHopsworksError({ errorCode: 160049, errorMsg: "Same Secret already exists", usrMsg: "Secret already exists" }, 409).hint).toMatch(
      /secret db_<workspace host>.*Account settings → Secrets/,
    );
  });

  test("270125 carries Databricks' raw body: its error code and message are read out of it (and a plain message still reads)", () => {
    const raw = JSON.stringify({ error_code: "INVALID_STATE", message: "Cluster 0101-000000-aaaaaaaa is in unexpected state Restarting." });
    expect(readHopsworksError({ errorCode: 270125, errorMsg: "Error communicating with Databricks", usrMsg: raw }, 500).detail).toBe(
      "Error communicating with Databricks: INVALID_STATE: Cluster 0101-000000-aaaaaaaa is in unexpected state Restarting.",
    );
    expect(readHopsworksError({ errorCode: 270125, errorMsg: "Error communicating with Databricks", usrMsg: "Read timed out" }, 500).detail).toBe(
      "Error communicating with Databricks: Read timed out",
    );
    const revoked = JSON.stringify({ error_code: "403", message: "Invalid access token." });
    expect(readHopsworksError({ errorCode: 270125, errorMsg: "Error communicating with Databricks", usrMsg: revoked }, 500).hint).toMatch(
      /registered in Hopsworks .* was refused/,
    );
  });
});

describe("release families and the client that exists", () => {
  test.each([
    ["2.0.1", "A", "hsfs~=2.0.0"],
    ["2.2.0", "A", "hsfs~=2.2.0"],
    ["2.3.0", "B", "hsfs~=2.3.0"],
    ["3.4.2", "B", "hsfs~=3.4.0"],
    ["3.6.0", "B", "hsfs~=3.4.0"],
    ["3.7.1", "C", "hsfs~=3.7.0"],
    ["3.9.0", "C", "hsfs~=3.7.0"],
    ["4.2.1", "C", "hopsworks[python]~=4.2.0"],
    ["4.5.0", "C", "hopsworks[python]~=4.4.0"],
    ["5.2.0", "C", "hopsworks[python]~=5.2.0"],
  ])("Hopsworks %s: family %s, client %s", (version, family, client) => {
    expect(releaseFamily(version)).toBe(family);
    expect(defaultClientLibrary(version)).toBe(client);
    expect(clientOf(client).package).toBe(client.startsWith("hopsworks") ? "hopsworks" : "hsfs");
  });
});
