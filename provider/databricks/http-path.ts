import { z } from "zod";

/**
 * The HTTP path of a Databricks SQL endpoint, as "Connection details" shows it: a SQL
 * warehouse (`/sql/1.0/warehouses/<id>`) or an all-purpose cluster
 * (`sql/protocolv1/o/<org-id>/<cluster-id>`).
 */
export type HttpPathTarget = { kind: "warehouse"; warehouseId: string } | { kind: "cluster"; orgId: string; clusterId: string };

const WAREHOUSE = /^\/?sql\/1\.0\/(?:warehouses|endpoints)\/([A-Za-z0-9]+)$/;
const CLUSTER = /^\/?sql\/protocolv1\/o\/(\d+)\/([A-Za-z0-9-]+)$/;

/** The warehouse page in the workspace UI (`/sql/warehouses/<id>` or `.../compute/sql-warehouses/<id>`), often copied instead. */
const BROWSER_PAGE = /^\/?(?:sql\/warehouses|compute\/sql-warehouses)\/([A-Za-z0-9]+)(?:[/?#].*)?$/;

const isHttpPath = (value: string) => WAREHOUSE.test(value) || CLUSTER.test(value);

/** A JDBC parameter may be percent-encoded; a broken encoding is shown as it is. */
const decoded = (value: string | undefined) => {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

export const EXPECTED_HTTP_PATH_FORMS = "SQL warehouse: /sql/1.0/warehouses/<warehouse-id>; cluster: sql/protocolv1/o/<org-id>/<cluster-id>";

export function parseHttpPath(raw: string): { path: string; target: HttpPathTarget } | { error: string } {
  const value = raw.trim();
  if (value !== raw) return { error: "has leading or trailing whitespace; remove it" };
  if (/^jdbc:/i.test(value)) {
    const httpPath = decoded(/httpPath=([^;]+)/i.exec(value)?.[1]);
    if (httpPath) return { error: `is a JDBC URL; use only its httpPath: "${httpPath}"` };
    const rest = value.slice("jdbc:".length);
    if (isHttpPath(rest)) return { error: `starts with "jdbc:"; use the path without it: "${rest}"` };
    return {
      error: `is a JDBC URL with no httpPath in it; copy "HTTP path" from the warehouse's (or cluster's) Connection details (${EXPECTED_HTTP_PATH_FORMS})`,
    };
  }
  const assigned = /^(?:httpPath|HTTPPath|http_path)\s*=\s*(.+)$/i.exec(value)?.[1];
  if (assigned && isHttpPath(assigned)) return { error: `starts with "httpPath="; use only the value: "${assigned}"` };
  const url = /^https?:\/\/[^/?#]+([^?#]*)/i.exec(value);
  if (url) {
    const path = url[1] ?? "";
    if (isHttpPath(path)) return { error: `is a URL; use only its path: "${path}"` };
    const page = BROWSER_PAGE.exec(path);
    if (page) return { error: `is the warehouse's page in the browser; its HTTP path is "/sql/1.0/warehouses/${page[1]}"` };
    return { error: `is a URL; the HTTP path is only the part after the host (${EXPECTED_HTTP_PATH_FORMS})` };
  }
  const page = BROWSER_PAGE.exec(value);
  if (page) return { error: `is the warehouse's page path; its HTTP path is "/sql/1.0/warehouses/${page[1]}"` };
  // A SQL warehouse id alone (16 hex digits): the path around it was left behind.
  if (/^[0-9a-f]{16}$/.test(value)) return { error: `is a warehouse id; the HTTP path is "/sql/1.0/warehouses/${value}"` };
  const warehouse = WAREHOUSE.exec(value);
  if (warehouse) return { path: value, target: { kind: "warehouse", warehouseId: warehouse[1]! } };
  const cluster = CLUSTER.exec(value);
  if (cluster) return { path: value, target: { kind: "cluster", orgId: cluster[1]!, clusterId: cluster[2]! } };
  return { error: `"${value}" is not a Databricks HTTP path; expected forms are ${EXPECTED_HTTP_PATH_FORMS}` };
}

export const httpPathSchema = z.string({ error: `required: the HTTP path (${EXPECTED_HTTP_PATH_FORMS})` }).transform((raw, ctx) => {
  const parsed = parseHttpPath(raw);
  if ("error" in parsed) {
    ctx.addIssue({ code: "custom", message: parsed.error });
    return z.NEVER;
  }
  return parsed.path;
});
