import { invalidParameter } from "./errors";
import { decodePageToken, encodePageToken } from "./clusters-paging";
import { CLUSTER_STATES, type ClusterRecord } from "./clusters-state";

/** 2.1 `list` pages: the server caps the page size (the SDKs simply follow `next_page_token`). */
export const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 100;

type Query = Record<string, string | string[] | undefined>;

const asList = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(",")).filter((s) => s !== "");

/**
 * A nested query field. The Python SDK flattens `filter_by={cluster_states: [...]}` into
 * `filter_by.cluster_states=...` (repeated); the Go SDK writes `filter_by[cluster_states]=...`.
 */
function nested(query: Query, parent: string, field: string): string[] {
  return [...asList(query[`${parent}.${field}`]), ...asList(query[`${parent}[${field}]`])];
}

export interface ListRequest {
  states: string[];
  sources: string[];
  policyId?: string;
  isPinned?: boolean;
  sortField: "DEFAULT" | "CLUSTER_NAME";
  sortDirection: "ASC" | "DESC";
  pageSize: number;
  offset: number;
}

export function parseListQuery(query: Query): ListRequest {
  const states = nested(query, "filter_by", "cluster_states");
  const unknownState = states.find((s) => !(CLUSTER_STATES as readonly string[]).includes(s));
  if (unknownState) throw invalidParameter(`Invalid cluster state: ${unknownState}`);
  const pinned = nested(query, "filter_by", "is_pinned")[0];
  const policyId = nested(query, "filter_by", "policy_id")[0];
  const field = nested(query, "sort_by", "field")[0] ?? "DEFAULT";
  const direction = nested(query, "sort_by", "direction")[0] ?? "ASC";
  if (field !== "DEFAULT" && field !== "CLUSTER_NAME") throw invalidParameter(`Invalid sort_by.field: ${field}`);
  if (direction !== "ASC" && direction !== "DESC") throw invalidParameter(`Invalid sort_by.direction: ${direction}`);
  const rawSize = asList(query.page_size)[0];
  const size = rawSize === undefined ? 0 : Number(rawSize);
  if (!Number.isInteger(size) || size < 0) throw invalidParameter(`Invalid page_size: ${rawSize}`);
  const token = asList(query.page_token)[0];
  return {
    states,
    sources: nested(query, "filter_by", "cluster_sources"),
    ...(policyId !== undefined ? { policyId } : {}),
    ...(pinned !== undefined ? { isPinned: pinned === "true" } : {}),
    sortField: field,
    sortDirection: direction,
    pageSize: Math.min(size || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    offset: token ? decodePageToken(token) : 0,
  };
}

/**
 * Filters, sorts and pages (settled) clusters. The real default order is not documented; the
 * sandbox keeps creation order, which is at least stable across pages.
 */
export function listPage(clusters: ClusterRecord[], req: ListRequest, paginate: boolean) {
  let matching = clusters.filter(
    (c) =>
      (req.states.length === 0 || req.states.includes(c.lifecycle.state)) &&
      (req.sources.length === 0 || req.sources.includes(c.clusterSource)) &&
      (req.policyId === undefined || c.spec.policy_id === req.policyId) &&
      // The sandbox does not model pinning: no cluster is pinned.
      req.isPinned !== true,
  );
  if (req.sortField === "CLUSTER_NAME") {
    const name = (c: ClusterRecord) => String(c.spec.cluster_name ?? "");
    matching = [...matching].sort((a, b) => name(a).localeCompare(name(b)));
  }
  if (req.sortDirection === "DESC") matching = [...matching].reverse();
  if (!paginate) return { clusters: matching };
  const page = matching.slice(req.offset, req.offset + req.pageSize);
  return {
    clusters: page,
    ...(req.offset + req.pageSize < matching.length ? { next_page_token: encodePageToken(req.offset + req.pageSize) } : {}),
    ...(req.offset > 0 ? { prev_page_token: encodePageToken(Math.max(0, req.offset - req.pageSize)) } : {}),
  };
}
