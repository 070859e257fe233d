import { z } from "zod";

/**
 * The HTTP path of a Databricks SQL endpoint, as "Connection details" shows it: a SQL
 * warehouse (`/sql/1.0/warehouses/<id>`) or an all-purpose cluster
 * (`sql/protocolv1/o/<org-id>/<cluster-id>`).
 */
export type HttpPathTarget = { kind: "warehouse"; warehouseId: string } | { kind: "cluster"; orgId: string; clusterId: string };

const WAREHOUSE = /^\/?sql\/1\.0\/(?:warehouses|endpoints)\/([A-Za-z0-9]+)$/;
const CLUSTER = /^\/?sql\/protocolv1\/o\/(\d+)\/([A-Za-z0-9-]+)$/;

export const EXPECTED_HTTP_PATH_FORMS = "SQL warehouse: /sql/1.0/warehouses/<warehouse-id>; cluster: sql/protocolv1/o/<org-id>/<cluster-id>";

export function parseHttpPath(raw: string): { path: string; target: HttpPathTarget } | { error: string } {
  const value = raw.trim();
  if (value !== raw) return { error: "has leading or trailing whitespace; remove it" };
  if (/^jdbc:/i.test(value)) {
    const httpPath = /httpPath=([^;]+)/i.exec(value)?.[1];
    return { error: `is a JDBC URL; use only its httpPath${httpPath ? `: "${httpPath}"` : ""} (${EXPECTED_HTTP_PATH_FORMS})` };
  }
  if (/^https?:\/\//i.test(value)) {
    return { error: `is a URL; the HTTP path is only the part after the host (${EXPECTED_HTTP_PATH_FORMS})` };
  }
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
