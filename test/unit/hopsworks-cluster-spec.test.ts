import { appliedBy, driftOf, restorePlan, unconfiguredSpec, userOwnedSpec, type ClusterSpec } from "../../provider/hopsworks/cluster-spec";

const USER_SCRIPT = { workspace: { destination: "/Users/alice@example.com/init/setup.sh" } };
const HOPS_SCRIPT = { dbfs: { destination: "dbfs:/hopsworks/hopsworks.example.com/p__u/initScript.sh" } };

const original: ClusterSpec = {
  cluster_id: "c",
  spark_version: "15.4.x-scala2.12",
  node_type_id: "i3.xlarge",
  policy_id: "E0631F5C0D0006C9",
  aws_attributes: { availability: "ON_DEMAND" },
  spark_conf: { "spark.sql.shuffle.partitions": "64", "spark.serializer": "org.apache.spark.serializer.JavaSerializer" },
  custom_tags: { team: "fraud" },
  init_scripts: [USER_SCRIPT],
};

/** What Hopsworks' lossy edit leaves: its keys merged, its script alone, policy and attributes gone. */
const configured: ClusterSpec = {
  cluster_id: "c",
  spark_version: "15.4.x-scala2.12",
  node_type_id: "i3.xlarge",
  aws_attributes: { availability: "SPOT_WITH_FALLBACK" },
  spark_conf: {
    "spark.sql.shuffle.partitions": "64",
    "spark.serializer": "org.apache.spark.serializer.KryoSerializer",
    "spark.hadoop.hops.ssl.keystore.name": "/dbfs/hopsworks/h/p__u/p__u__kstore.jks",
  },
  custom_tags: { team: "fraud", hopsworks_project_id: "119", hopsworks_user: "u" },
  init_scripts: [HOPS_SCRIPT],
};

const hsfs = [{ library: { pypi: { package: "hsfs~=4.2.0" } }, status: "INSTALLED" }];

describe("cluster spec bookkeeping", () => {
  test("applied: Hopsworks' keys (overwritten ones included), tags, script and hsfs", () => {
    const applied = appliedBy(original, configured, { before: [], after: hsfs });
    expect(Object.keys(applied.sparkConf).sort()).toEqual(["spark.hadoop.hops.ssl.keystore.name", "spark.serializer"]);
    expect(applied.tags).toEqual({ hopsworks_project_id: "119", hopsworks_user: "u" });
    expect(applied.initScripts).toEqual([HOPS_SCRIPT]);
    expect(applied).toMatchObject({ hsfsRequirement: "hsfs~=4.2.0", hsfsPreinstalled: false });
  });

  test("restore plan puts back what the lossy edit dropped, the user's init script first", () => {
    const { spec, restored } = restorePlan(original, configured);
    expect(spec).toMatchObject({ policy_id: original.policy_id, aws_attributes: original.aws_attributes, init_scripts: [USER_SCRIPT, HOPS_SCRIPT] });
    expect(restored).toEqual(["policy_id", "aws_attributes", "init_scripts (/Users/alice@example.com/init/setup.sh)"]);
  });

  test("unconfigure gives back exactly the original spec, overwritten values included", () => {
    const applied = appliedBy(original, configured, { before: [], after: hsfs });
    const live = restorePlan(original, configured).spec;
    expect(unconfiguredSpec(live, applied, original)).toEqual(original);
    // The same record recognises a later configuration (for another user) as Hopsworks'.
    expect(userOwnedSpec({ ...live, custom_tags: { ...live.custom_tags, hopsworks_user: "v" } }, { applied, original })).toEqual(original);
  });

  test("drift names each property out of line", () => {
    const applied = appliedBy(original, configured, { before: [], after: hsfs });
    const live = restorePlan(original, configured).spec;
    expect(driftOf(live, hsfs, applied)).toEqual([]);
    const drifted: ClusterSpec = {
      ...live,
      spark_conf: { ...live.spark_conf, "spark.serializer": "x" },
      custom_tags: { team: "fraud", hopsworks_project_id: "120", hopsworks_user: "u" },
      init_scripts: [USER_SCRIPT],
    };
    drifted.spark_conf = Object.fromEntries(Object.entries(drifted.spark_conf!).filter(([k]) => !k.includes("keystore")));
    expect(driftOf(drifted, [{ ...hsfs[0]!, status: "UNINSTALL_ON_RESTART" }], applied)).toEqual([
      'spark_conf spark.serializer is "x", expected "org.apache.spark.serializer.KryoSerializer"',
      "spark_conf spark.hadoop.hops.ssl.keystore.name was removed",
      'custom_tags hopsworks_project_id is "120", expected "119"',
      `init script ${HOPS_SCRIPT.dbfs.destination} was removed`,
      "library hsfs~=4.2.0 was uninstalled",
    ]);
  });
});
