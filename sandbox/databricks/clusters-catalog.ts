import { cloudOf } from "./clusters-spec";
import type { ClusterRecord } from "./clusters-state";

/**
 * What `clusters/spark-versions` and `clusters/list-node-types` return: a representative set of
 * runtimes (LTS and current, ML and Photon variants) and per-cloud node types with the fields the
 * SDKs' selectors (`select_spark_version`, `select_node_type`) read.
 */
const RUNTIMES: [key: string, name: string][] = [
  ["13.3.x-scala2.12", "13.3 LTS (includes Apache Spark 3.4.1, Scala 2.12)"],
  ["14.3.x-scala2.12", "14.3 LTS (includes Apache Spark 3.5.0, Scala 2.12)"],
  ["15.4.x-scala2.12", "15.4 LTS (includes Apache Spark 3.5.0, Scala 2.12)"],
  ["15.4.x-photon-scala2.12", "15.4 LTS Photon (includes Apache Spark 3.5.0, Scala 2.12)"],
  ["15.4.x-cpu-ml-scala2.12", "15.4 LTS ML (includes Apache Spark 3.5.0, Scala 2.12)"],
  ["16.4.x-scala2.12", "16.4 LTS (includes Apache Spark 3.5.2, Scala 2.12)"],
  ["17.3.x-scala2.13", "17.3 LTS (includes Apache Spark 4.0.0, Scala 2.13)"],
];

export const sparkVersions = () => ({ versions: RUNTIMES.map(([key, name]) => ({ key, name })) });

/** Id, memory, cores, category and local disks (count, GB; NVMe for the storage-optimized ones). */
type NodeType = [id: string, memoryMb: number, cores: number, category: string, disks?: [count: number, gb: number, nvme: boolean]];
const NODE_TYPES: Record<"aws" | "azure" | "gcp", NodeType[]> = {
  aws: [
    ["m5d.large", 8192, 2, "General Purpose"],
    ["i3.xlarge", 31232, 4, "Storage Optimized", [1, 950, true]],
    ["i3.2xlarge", 62464, 8, "Storage Optimized", [1, 1900, true]],
    ["r5d.xlarge", 32768, 4, "Memory Optimized"],
    ["g4dn.xlarge", 16384, 4, "GPU Accelerated"],
  ],
  azure: [
    ["Standard_DS3_v2", 14336, 4, "General Purpose"],
    ["Standard_DS4_v2", 28672, 8, "General Purpose"],
    ["Standard_E8ds_v4", 65536, 8, "Memory Optimized", [1, 300, false]],
  ],
  gcp: [
    ["n2-standard-4", 16384, 4, "General Purpose"],
    ["n2-highmem-4", 32768, 4, "Memory Optimized"],
  ],
};

const nodeTypesOf = (host: string) => NODE_TYPES[cloudOf(host)];

export function listNodeTypes(host: string) {
  return {
    node_types: nodeTypesOf(host).map(([id, memoryMb, cores, category, disks]) => ({
      node_type_id: id,
      instance_type_id: id,
      memory_mb: memoryMb,
      num_cores: cores,
      num_gpus: category === "GPU Accelerated" ? 1 : 0,
      description: id,
      category,
      is_deprecated: false,
      is_hidden: false,
      photon_worker_capable: true,
      photon_driver_capable: true,
      node_info: { status: [] },
      node_instance_type: {
        instance_type_id: id,
        local_disks: disks && !disks[2] ? disks[0] : 0,
        local_disk_size_gb: disks && !disks[2] ? disks[1] : 0,
        local_nvme_disks: disks?.[2] ? disks[0] : 0,
        local_nvme_disk_size_gb: disks?.[2] ? disks[1] : 0,
      },
    })),
  };
}

/** Memory and cores of a node type; unknown ones count as a 4-core, 16 GB node. */
function sizeOf(host: string, nodeTypeId: unknown): { memoryMb: number; cores: number } {
  const found =
    nodeTypesOf(host).find(([id]) => id === nodeTypeId) ??
    Object.values(NODE_TYPES)
      .flat()
      .find(([id]) => id === nodeTypeId);
  return found ? { memoryMb: found[1], cores: found[2] } : { memoryMb: 16384, cores: 4 };
}

/** A stable private IP for a node, from the cluster id and the node's index. */
const ipOf = (clusterId: string, index: number) => {
  let h = 0;
  for (const c of clusterId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `10.${(h >> 8) & 0xff}.${h & 0xff}.${10 + index}`;
};

/**
 * The fields a cluster has while its driver is up (RUNNING, RESIZING): the driver and executor
 * nodes, the Spark context id, the JDBC port, and the total memory and cores. Absent otherwise.
 */
export function runtimeFields(host: string, rec: ClusterRecord, workers: number): Record<string, unknown> {
  const lc = rec.lifecycle;
  if (lc.upSince === null || (lc.state !== "RUNNING" && lc.state !== "RESIZING")) return {};
  const driverType = rec.spec.driver_node_type_id ?? rec.spec.node_type_id;
  const driver = sizeOf(host, driverType);
  const worker = sizeOf(host, rec.spec.node_type_id);
  const node = (index: number) => ({
    private_ip: ipOf(rec.clusterId, index),
    node_id: `${rec.clusterId.replace(/-/g, "").slice(-8)}${String(index).padStart(4, "0")}`,
    instance_id: `i-${rec.clusterId.replace(/-/g, "").slice(-8)}${String(index).padStart(8, "0")}`,
    start_timestamp: lc.upSince,
    host_private_ip: ipOf(rec.clusterId, index),
  });
  return {
    driver: node(0),
    ...(workers > 0 ? { executors: Array.from({ length: workers }, (_, i) => node(i + 1)) } : {}),
    // One Spark context per launch: a restart gives a new id.
    spark_context_id: (lc.upSince * 1000 + lc.launches) % 9_007_199_254_740_991,
    jdbc_port: 10000,
    cluster_memory_mb: driver.memoryMb + workers * worker.memoryMb,
    cluster_cores: driver.cores + workers * worker.cores,
  };
}
