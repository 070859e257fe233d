/**
 * What a notebook on the configured cluster passes to the Hopsworks client it has: for hsfs
 * (2.x–3.x) `hsfs.connection(host, port, project, engine, …, secrets_store, hostname_verification,
 * …, api_key_file, …)`, for hopsworks 4.x and later `hopsworks.login(host, port, project,
 * api_key_value, api_key_file, hostname_verification, trust_store_path, engine)`, which has no
 * `secrets_store` (passing it is a TypeError).
 */
export interface NotebookConnection {
  host: string;
  port: number;
  project: string;
  /** Where hsfs finds the Hopsworks API key: `secretsmanager` (AWS Secrets Manager `hopsworks/role/<role>`, key `api-key`), `parameterstore` (`/hopsworks/role/<role>/type/api-key`), or `local` (with `apiKeyFile`). Not used by hopsworks 4.x. */
  secretsStore: string;
  hostnameVerification: boolean;
  /** The client package on the cluster; absent in state written before it was recorded (then hsfs). */
  client?: "hsfs" | "hopsworks";
  /** `spark-no-metastore` where Hopsworks set no metastore keys (3.7 and later); absent: the client's default. */
  engine?: string;
  /** The API key file on the cluster (e.g. under /dbfs). */
  apiKeyFile?: string;
}

const pyString = (s: string) => JSON.stringify(s);
const pyBool = (b: boolean) => (b ? "True" : "False");

/** A ready-to-paste Python cell that connects to the feature store. */
export function connectionSnippet(c: NotebookConnection): string {
  if (c.client === "hopsworks") {
    return [
      "import hopsworks",
      "",
      ...(c.apiKeyFile ? [] : ["# The API key comes from the HOPSWORKS_API_KEY environment variable (set it on the cluster)."]),
      "project = hopsworks.login(",
      `    host=${pyString(c.host)},`,
      `    port=${c.port},`,
      `    project=${pyString(c.project)},`,
      ...(c.apiKeyFile ? [`    api_key_file=${pyString(c.apiKeyFile)},`] : []),
      `    hostname_verification=${pyBool(c.hostnameVerification)},`,
      ...(c.engine ? [`    engine=${pyString(c.engine)},`] : []),
      ")",
      "fs = project.get_feature_store()",
    ].join("\n");
  }
  return [
    "import hsfs",
    "",
    "conn = hsfs.connection(",
    `    ${pyString(c.host)},`,
    `    ${c.port},`,
    `    ${pyString(c.project)},`,
    ...(c.engine ? [`    engine=${pyString(c.engine)},`] : []),
    `    secrets_store=${pyString(c.secretsStore)},`,
    ...(c.apiKeyFile ? [`    api_key_file=${pyString(c.apiKeyFile)},`] : []),
    `    hostname_verification=${pyBool(c.hostnameVerification)},`,
    ")",
    "fs = conn.get_feature_store()",
  ].join("\n");
}
