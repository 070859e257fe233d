import type { Dialect } from "./dialect";

/**
 * What one Qualytics deployment keeps. Plain JSON only: the whole document is persisted after
 * every mutation and read back on restart.
 */

/** Qualytics user roles, weakest first; a role includes everything the ones before it may do. */
export const ROLES = ["Member", "Manager", "Admin"] as const;
export type Role = (typeof ROLES)[number];

export interface QualyticsUser {
  email: string;
  role: Role;
  /** sha256 of each API token: the sandbox cannot show a token again, like the real service. */
  tokenHashes: string[];
}

export interface TeamRecord {
  id: number;
  name: string;
}

export type RemediationStrategy = "none" | "append" | "overwrite";

export interface ConnectionRecord {
  id: number;
  name: string;
  /** The sandbox models Databricks connections only. */
  type: "databricks";
  host: string;
  port: number;
  /**
   * The Databricks personal access token, kept in clear because later connection tests must
   * present it; it never leaves the sandbox through the API.
   */
  password: string;
  parameters: { path: string };
  created: string;
}

export interface DatastoreRecord {
  id: number;
  name: string;
  created: string;
  updated: string;
  connectionId: number;
  /** The Databricks catalog. */
  database: string | null;
  schema: string | null;
  description: string | null;
  enrichmentOnly: boolean;
  enrichmentPrefix: string;
  enrichmentSourceRecordLimit: number;
  enrichmentRemediationStrategy: RemediationStrategy;
  highCountRollupThreshold: number;
  /** The linked enrichment datastore, if any. */
  enrichDatastoreId: number | null;
  /** Team names (each exists in `teams`). */
  teams: string[];
  /** Global tag names. */
  tags: string[];
  /** The outcome of the last connection test. */
  connected: boolean;
}

export const OPERATION_TYPES = ["sync", "profile", "scan", "materialize", "export"] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

export interface OperationRecord {
  id: number;
  type: OperationType;
  datastoreId: number;
  /** Epoch ms; the operation's progress is worked out from this on every read (no timers). */
  startedAt: number;
  include: string[] | null;
  prune: boolean;
  recreate: boolean;
  /** Epoch ms of an abort (`PUT /operations/abort/{id}`) before it finished. */
  abortedAt?: number | null;
  /** Set when the operation fails (e.g. a scan told to remediate with no enrichment store). */
  failure?: string | null;
}

export interface InstanceData {
  /** The real host name, e.g. `acme.qualytics.io`. */
  host: string;
  /** Response shapes (see dialect.ts); taken from the seed at every start. */
  dialect?: Dialect;
  /** Whether the unsaved-payload connection test route exists; from the seed at every start. */
  unsavedConnectionTest?: boolean;
  /** Whether create tests the connection first; from the seed at every start. */
  createTestsConnection?: boolean;
  /** Key the deployment's JWTs are signed with; from the seed at every start. */
  tokenSigningKey?: string;
  users: QualyticsUser[];
  teams: TeamRecord[];
  connections: ConnectionRecord[];
  datastores: DatastoreRecord[];
  operations: OperationRecord[];
  /** Last id handed out per table, like the real service's database sequences. */
  lastIds: { team: number; connection: number; datastore: number; operation: number };
}
