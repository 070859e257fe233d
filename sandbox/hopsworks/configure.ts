import { cannotStartCluster } from "./errors";
import { clientArchive, clientFile, dbfsLayout, hiveInitScript, initScript, keyStore } from "./client-artifacts";
import { configuredSpec, hopsworksSparkConf } from "./clusters";
import { failed, type DatabricksClient } from "./databricks-client";
import type { HopsworksInstance } from "./instance";
import type { HopsworksUser, ProjectRecord } from "./model";
import { familyOf, librariesOf, uploadedFiles } from "./release-family";

export { hsfsRequirement } from "./release-family";

/** DBFS takes at most 1 MiB (decoded) per put or block. */
const MAX_BLOCK_BYTES = 1024 * 1024;
/** waitForCuster: up to 5 polls, each after a 5 s sleep (so configure takes at least 5 s, scaled). */
const START_POLLS = 5;
const START_POLL_REAL_MS = 5000;

const b64 = (data: Buffer | string) => Buffer.from(data).toString("base64");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * "Configure cluster" (DatabricksController.configureCluster) with the requesting user's PAT, for
 * `target` in `project`, as the instance's release family does it (release-family.ts). Each step
 * is a real call to the workspace; the first failure ends the flow with nothing rolled back, like
 * the real backend. Returns the cluster as Databricks describes it after the last step.
 */
export async function configureCluster(
  inst: HopsworksInstance,
  client: DatabricksClient,
  clusterId: string,
  project: ProjectRecord,
  target: HopsworksUser,
): Promise<Record<string, unknown>> {
  const addr = inst.internalAddress;
  const family = familyOf(inst.version);
  const layout = dbfsLayout(addr, project.name, target.username);
  const getCluster = () => client.get(`/clusters/get?cluster_id=${encodeURIComponent(clusterId)}`);
  const put = (path: string, contents: Buffer | string) => client.post("/dbfs/put", { path, contents: b64(contents), overwrite: true });
  const putCertificates = async () => {
    await put(layout.keyStore, keyStore("kstore", addr, project.name, target.username));
    await put(layout.trustStore, keyStore("tstore", addr, project.name, target.username));
    await put(layout.certKey, inst.certPassword(project.name, target.username));
  };

  const cluster = await getCluster();
  // The site's own share of the call's duration (seed `configureDurationMs`, scaled).
  const extra = inst.settings.configureDurationMs ?? 0;
  if (extra > 0) await sleep(inst.clock.duration(extra));
  if (family === "A") {
    await put(layout.initScript, initScript(addr, inst.version, project.name, target.username));
    await putCertificates();
    await uploadUnlessPresent(client, layout.archive, clientArchive(inst.version), true);
  } else {
    // One create/add-block/close per client file, only when absent, never overwriting.
    for (const file of uploadedFiles(inst.version)) {
      await uploadUnlessPresent(client, `${layout.clientDir}/${file.name}`, clientFile(inst.version, file.name, file.bytes), false);
    }
    if (family === "B") await put(layout.initScript, hiveInitScript(addr, inst.version));
    await putCertificates();
  }

  await client.post("/clusters/edit", configuredSpec(inst, cluster, hopsworksSparkConf(inst, layout), project.id, target.username, layout));

  // Libraries install on a running cluster: a terminated one is started first.
  if (cluster.state === "TERMINATED") await client.post("/clusters/start", { cluster_id: clusterId });
  await waitUntilNotTerminated(inst, getCluster);

  await client.post("/libraries/install", { cluster_id: clusterId, libraries: librariesOf(inst.version, addr) });
  return getCluster();
}

/**
 * A client file goes up once per workspace: only a get-status answering RESOURCE_DOES_NOT_EXIST
 * starts the create / add-block / close stream. With `overwrite:false` (B and C), two first
 * configures at once collide: the second stream fails with RESOURCE_ALREADY_EXISTS (270125).
 */
async function uploadUnlessPresent(client: DatabricksClient, path: string, contents: Buffer, overwrite: boolean): Promise<void> {
  const statusPath = `/dbfs/get-status?path=${encodeURIComponent(path)}`;
  const status = await client.exchange("GET", statusPath);
  if (status.status >= 200 && status.status < 300) return;
  if (status.status !== 404 || status.body.error_code !== "RESOURCE_DOES_NOT_EXIST") throw failed("GET", client.instance, statusPath, status);
  const { handle } = await client.post("/dbfs/create", { path, overwrite });
  for (let offset = 0; offset < contents.length; offset += MAX_BLOCK_BYTES) {
    await client.post("/dbfs/add-block", { handle, data: b64(contents.subarray(offset, offset + MAX_BLOCK_BYTES)) });
  }
  await client.post("/dbfs/close", { handle });
}

/** The real backend's waitForCuster: give up (270124) if the cluster is still TERMINATED after the polls. */
async function waitUntilNotTerminated(inst: HopsworksInstance, getCluster: () => Promise<Record<string, unknown>>): Promise<void> {
  for (let poll = 0; poll < START_POLLS; poll++) {
    await sleep(inst.clock.duration(START_POLL_REAL_MS));
    if ((await getCluster()).state !== "TERMINATED") return;
  }
  throw cannotStartCluster();
}
