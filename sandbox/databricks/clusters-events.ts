import { z } from "zod";
import { invalidParameter } from "./errors";
import { decodePageToken, encodePageToken } from "./clusters-paging";
import type { ClusterRecord, StoredClusterEvent } from "./clusters-state";

/** Event types of the public SDKs' `EventType` enum; filtering on anything else is refused. */
export const CLUSTER_EVENT_TYPES = [
  "ADD_NODES_FAILED",
  "AUTOMATIC_CLUSTER_UPDATE",
  "AUTOSCALING_BACKOFF",
  "AUTOSCALING_FAILED",
  "AUTOSCALING_STATS_REPORT",
  "CLUSTER_MIGRATED",
  "CREATING",
  "DBFS_DOWN",
  "DECOMMISSION_ENDED",
  "DECOMMISSION_STARTED",
  "DID_NOT_EXPAND_DISK",
  "DRIVER_HEALTHY",
  "DRIVER_NOT_RESPONDING",
  "DRIVER_UNAVAILABLE",
  "EDITED",
  "EXPANDED_DISK",
  "FAILED_TO_EXPAND_DISK",
  "INIT_SCRIPTS_FINISHED",
  "INIT_SCRIPTS_STARTED",
  "METASTORE_DOWN",
  "NODE_BLACKLISTED",
  "NODE_EXCLUDED_DECOMMISSIONED",
  "NODES_LOST",
  "PINNED",
  "RESIZING",
  "RESTARTING",
  "RUNNING",
  "SPARK_EXCEPTION",
  "STARTING",
  "TERMINATING",
  "UNPINNED",
  "UPSIZE_COMPLETED",
] as const;

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

export const eventsRequestSchema = z.object({
  cluster_id: z.string({ error: "Missing required field: cluster_id" }).min(1, "Missing required field: cluster_id"),
  start_time: z.number().int().optional(),
  end_time: z.number().int().optional(),
  order: z.enum(["ASC", "DESC"]).optional(),
  event_types: z.array(z.enum(CLUSTER_EVENT_TYPES)).optional(),
  // Legacy paging (what `next_page` carries).
  offset: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).max(MAX_LIMIT).optional(),
  // Token paging.
  page_size: z.number().int().min(0).optional(),
  page_token: z.string().optional(),
});
export type EventsRequest = z.infer<typeof eventsRequestSchema>;

const toApiEvent = (clusterId: string) => (e: StoredClusterEvent) => ({
  cluster_id: clusterId,
  timestamp: e.timestamp,
  type: e.type,
  details: e.details,
});

/**
 * One page of a cluster's events, newest first unless `order` is ASC (the real default is DESC).
 * Two paging styles, as the real API: `offset`/`limit` answered with `next_page` (the request for
 * the following page) and `total_count`, or `page_size`/`page_token` answered with tokens.
 */
export function eventsPage(rec: ClusterRecord, req: EventsRequest, now: number) {
  const order = req.order ?? "DESC";
  const types = req.event_types && req.event_types.length > 0 ? new Set<string>(req.event_types) : undefined;
  const matching = rec.events
    .filter((e) => req.start_time === undefined || e.timestamp >= req.start_time)
    .filter((e) => req.end_time === undefined || e.timestamp <= req.end_time)
    .filter((e) => !types || types.has(e.type))
    .sort((a, b) => (a.timestamp - b.timestamp || a.seq - b.seq) * (order === "ASC" ? 1 : -1));

  if (req.page_token !== undefined || req.page_size !== undefined) {
    const size = Math.min(req.page_size || DEFAULT_LIMIT, MAX_LIMIT);
    const offset = req.page_token ? decodePageToken(req.page_token) : 0;
    const page = matching.slice(offset, offset + size);
    const next = offset + size < matching.length ? encodePageToken(offset + size) : undefined;
    return {
      events: page.map(toApiEvent(rec.clusterId)),
      // Both forms of "more": the token, and `next_page` (the request for the following page,
      // carrying that token), which is all the Python SDK's events iterator follows. Whether the
      // real service sends both in this style is unconfirmed; a client reading either works.
      ...(next ? { next_page_token: next, next_page: { ...req, page_token: next } } : {}),
      ...(offset > 0 ? { prev_page_token: encodePageToken(Math.max(0, offset - size)) } : {}),
    };
  }

  const offset = req.offset ?? 0;
  // The API requires a fixed window when paging backwards through time.
  if (offset > 0 && order === "DESC" && req.end_time === undefined) {
    throw invalidParameter("end_time is required when offset is specified and order is DESC");
  }
  const limit = req.limit ?? DEFAULT_LIMIT;
  const page = matching.slice(offset, offset + limit);
  const hasMore = offset + limit < matching.length;
  return {
    events: page.map(toApiEvent(rec.clusterId)),
    ...(hasMore
      ? {
          next_page: {
            cluster_id: rec.clusterId,
            ...(req.start_time !== undefined ? { start_time: req.start_time } : {}),
            end_time: req.end_time ?? now,
            ...(req.order ? { order: req.order } : {}),
            ...(req.event_types ? { event_types: req.event_types } : {}),
            offset: offset + limit,
            limit,
          },
        }
      : {}),
    total_count: matching.length,
  };
}
