import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { READ_ONLY_CLUSTER_FIELDS } from "../../../sandbox/databricks/clusters-read-only";

const REPO = path.resolve(__dirname, "../../..");
const PYTHON = process.env.PDI_PYTHON ?? path.join(REPO, ".venv/bin/python");

/** The fields the official SDK models as set by Databricks only: in the `get` answer, in neither request. */
const SDK_READ_ONLY = `
import dataclasses, json
from databricks.sdk.service import compute as c
names = lambda cls: {f.name for f in dataclasses.fields(cls)}
print(json.dumps(sorted(names(c.ClusterDetails) - names(c.ClusterSpec) - names(c.UpdateClusterResource))))
`;

describe("databricks sandbox: read-only cluster fields follow the official SDK (databricks-sdk)", () => {
  test("the shared list is the SDK's ClusterDetails fields that ClusterSpec and UpdateClusterResource lack, plus the 2.0 API's last_activity_time", () => {
    if (!fs.existsSync(PYTHON))
      throw new Error(`no project Python at ${PYTHON}: run \`bash scripts/python-clients.sh\` (it installs databricks-sdk into .venv)`);
    const fromSdk = JSON.parse(execFileSync(PYTHON, ["-c", SDK_READ_ONLY], { encoding: "utf8" })) as string[];
    expect([...READ_ONLY_CLUSTER_FIELDS].filter((f) => f !== "last_activity_time").sort()).toEqual(fromSdk);
  });
});
