import { cannotStartCluster } from "./errors";
import { clientArchive, dbfsLayout, initScript, keyStore } from "./client-artifacts";
import { configuredSpec, hopsworksSparkConf } from "./clusters";
import { failed, type DatabricksClient } from "./databricks-client";
import type { HopsworksInstance } from "./instance";
import type { HopsworksUser, ProjectRecord } from "./model";

/** DBFS takes at most 1 MiB (decoded) per put or block. */
const MAX_BLOCK_BYTES = 1024 * 1024;
/** The real backend polls up to 5 times, 5 s apart; the sandbox polls 3 times, 1 s (scaled) apart. */
const START_POLLS = 3;
const START_POLL_REAL_MS = 1000;

/** `hsfs~=X.Y.0` for Hopsworks X.Y.Z: the client must match the cluster's minor version. */
export const hsfsRequirement = (version: string): string => {
  const [major = "0", minor = "0"] = version.split(".");
  return `hsfs~=${major}.${minor}.0`;
};

const b64 = (data: Buffer | string) => Buffer.from(data).toString("base64");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * "Configure cluster" (DatabricksController.configureCluster) with the requesting user's PAT, for
 * `target` in `project`. Each step is a real call to the workspace; the first failure ends the
 * flow with nothing rolled back, like the real backend. Returns the cluster as Databricks
 * describes it after the last step.
 */
export async function configureCluster(
  inst: HopsworksInstance,
  client: DatabricksClient,
  clusterId: string,
  project: ProjectRecord,
  target: HopsworksUser,
): Promise<Record<string, unknown>> {
  const addr = inst.host;
  const layout = dbfsLayout(addr, project.name, target.username);
  const getCluster = () => client.get(`/clusters/get?cluster_id=${encodeURIComponent(clusterId)}`);

  const cluster = await getCluster();
  await uploadArchiveUnlessPresent(client, layout.archive, clientArchive(inst.version));

  const put = (path: string, contents: Buffer | string) => client.post("/dbfs/put", { path, contents: b64(contents), overwrite: true });
  await put(layout.initScript, initScript(addr, inst.version, project.name, target.username));
  await put(layout.keyStore, keyStore("kstore", addr, project.name, target.username));
  await put(layout.trustStore, keyStore("tstore", addr, project.name, target.username));
  await put(layout.certKey, inst.certPassword(project.name, target.username));

  const conf = hopsworksSparkConf(addr, layout);
  await client.post("/clusters/edit", configuredSpec(cluster, conf, project.id, target.username, layout));

  // Libraries install on a running cluster: a terminated one is started first.
  if (cluster.state === "TERMINATED") await client.post("/clusters/start", { cluster_id: clusterId });
  await waitUntilNotTerminated(inst, getCluster);

  await client.post("/libraries/install", { cluster_id: clusterId, libraries: [{ pypi: { package: hsfsRequirement(inst.version) } }] });
  return getCluster();
}

/**
 * The archive is shared by every project user of this Hopsworks, so it goes up once: only a
 * get-status answering RESOURCE_DOES_NOT_EXIST starts the create / add-block / close stream.
 */
async function uploadArchiveUnlessPresent(client: DatabricksClient, path: string, archive: Buffer): Promise<void> {
  const statusPath = `/dbfs/get-status?path=${encodeURIComponent(path)}`;
  const status = await client.exchange("GET", statusPath);
  if (status.status >= 200 && status.status < 300) return;
  if (status.status !== 404 || status.body.error_code !== "RESOURCE_DOES_NOT_EXIST") throw failed("GET", client.instance, statusPath, status);
  const { handle } = await client.post("/dbfs/create", { path, overwrite: true });
  for (let offset = 0; offset < archive.length; offset += MAX_BLOCK_BYTES) {
    await client.post("/dbfs/add-block", { handle, data: b64(archive.subarray(offset, offset + MAX_BLOCK_BYTES)) });
  }
  await client.post("/dbfs/close", { handle });
}

/** The real backend's waitForCluster: give up (270124) if the cluster is still TERMINATED after the polls. */
async function waitUntilNotTerminated(inst: HopsworksInstance, getCluster: () => Promise<Record<string, unknown>>): Promise<void> {
  for (let poll = 0; poll < START_POLLS; poll++) {
    await sleep(inst.clock.duration(START_POLL_REAL_MS));
    if ((await getCluster()).state !== "TERMINATED") return;
  }
  throw cannotStartCluster();
}
