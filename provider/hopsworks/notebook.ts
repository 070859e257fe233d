/** What a notebook on the configured cluster passes to `hsfs.connection(...)`. */
export interface NotebookConnection {
  host: string;
  port: number;
  project: string;
  /** Where hsfs finds the Hopsworks API key: `secretsmanager` (AWS Secrets Manager `hopsworks/role/<role>`, key `api-key`), `parameterstore` (`/hopsworks/role/<role>/type/api-key`), or `local`. */
  secretsStore: string;
  hostnameVerification: boolean;
}

const pyString = (s: string) => JSON.stringify(s);

/** A ready-to-paste Python cell that connects to the feature store. */
export function connectionSnippet(c: NotebookConnection): string {
  return [
    "import hsfs",
    "",
    "conn = hsfs.connection(",
    `    ${pyString(c.host)},`,
    `    ${c.port},`,
    `    ${pyString(c.project)},`,
    `    secrets_store=${pyString(c.secretsStore)},`,
    `    hostname_verification=${c.hostnameVerification ? "True" : "False"},`,
    ")",
    "fs = conn.get_feature_store()",
  ].join("\n");
}
