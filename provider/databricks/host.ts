import { z } from "zod";

/** The workspace host forms Databricks uses, by cloud (and the gov / China clouds). */
const HOST_FORMS: { cloud: string; pattern: RegExp; example: string }[] = [
  { cloud: "AWS", pattern: /^[a-z0-9][a-z0-9-]*\.cloud\.databricks\.(com|us)$/, example: "dbc-1a2b3c4d-5e6f.cloud.databricks.com" },
  {
    cloud: "Azure",
    pattern: /^adb-\d+\.\d+\.(azuredatabricks\.net|databricks\.azure\.us|databricks\.azure\.cn)$/,
    example: "adb-1234567890123456.7.azuredatabricks.net",
  },
  { cloud: "GCP", pattern: /^\d+\.\d+\.gcp\.databricks\.com$/, example: "1234567890123456.7.gcp.databricks.com" },
];

const ACCOUNT_CONSOLE = /^accounts(-dod)?\.(cloud\.databricks\.(com|us)|azuredatabricks\.net|gcp\.databricks\.com)$/;

export const EXPECTED_HOST_FORMS = HOST_FORMS.map((f) => `${f.cloud}: ${f.example}`).join("; ");

/**
 * Normalises what people paste as a workspace (a bare host, or the workspace URL that
 * `databricks:host` usually holds) to the bare lower-case host, or says what is wrong.
 */
export function parseWorkspaceHost(raw: string, options: { allowUrl?: boolean } = {}): { host: string } | { error: string } {
  let value = raw.trim();
  if (value !== raw) return { error: "has leading or trailing whitespace; remove it" };
  const jdbc = /^jdbc:[a-z]+:\/\/([^/:;?]+)/i.exec(value);
  if (jdbc) return { error: `is a JDBC URL; use only its host: "${jdbc[1]!.toLowerCase()}"` };
  let path = "";
  const url = /^https?:\/\/([^/?#]+)([^?#]*)?([?#].*)?$/i.exec(value);
  if (url && options.allowUrl === false) {
    return { error: `is a URL; the server hostname is only its host: "${url[1]!.toLowerCase()}"` };
  }
  if (url) {
    value = url[1]!;
    path = (url[2] ?? "") + (url[3] ?? "");
  } else if (/^[a-z]+:\/\//i.test(value)) {
    return { error: `must be a workspace host or https:// URL, not a ${value.split(":")[0]} URL` };
  } else if (value.includes("/")) {
    path = value.slice(value.indexOf("/"));
    value = value.slice(0, value.indexOf("/"));
  }
  const host = value.toLowerCase().replace(/:443$/, "");
  // The account console's host has a workspace host's shape on AWS, but workspace APIs are not there.
  if (ACCOUNT_CONSOLE.test(host)) {
    return {
      error: `"${host}" is the account console, not a workspace: use the host of the workspace itself (open the workspace and copy the host from its URL; ${EXPECTED_HOST_FORMS})`,
    };
  }
  if (!HOST_FORMS.some((f) => f.pattern.test(host))) {
    return { error: `"${host}" is not a Databricks workspace host; expected forms are ${EXPECTED_HOST_FORMS}` };
  }
  if (path && path !== "/") {
    return { error: `must be the workspace host only, without a path ("${path}"): use "${host}"` };
  }
  return { host };
}

/** A zod field for a workspace host: accepts a host or workspace URL, yields the bare host. */
export const workspaceHostSchema = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? "required: set the `host` input, or `pulumi config set databricks:host <workspace-url>`, or DATABRICKS_HOST"
        : "must be a string",
  })
  .transform((raw, ctx) => {
    const parsed = parseWorkspaceHost(raw);
    if ("error" in parsed) {
      ctx.addIssue({ code: "custom", message: parsed.error });
      return z.NEVER;
    }
    return parsed.host;
  });

/**
 * A zod field for a "Server Hostname" as SQL clients (and Qualytics' form) take it: the bare
 * workspace host. A pasted URL is refused with the host to use instead.
 */
export const serverHostnameSchema = z.string({ error: "required: the workspace host, e.g. dbc-1a2b3c4d-5e6f.cloud.databricks.com" }).transform((raw, ctx) => {
  const parsed = parseWorkspaceHost(raw, { allowUrl: false });
  if ("error" in parsed) {
    ctx.addIssue({ code: "custom", message: parsed.error });
    return z.NEVER;
  }
  return parsed.host;
});
