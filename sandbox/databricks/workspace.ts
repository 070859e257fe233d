import { createHash, randomBytes } from "crypto";
import type { FastifyInstance } from "fastify";
import { ServiceInstance } from "../common/instance";
import type { WorkspaceSeed } from "./seed";
import { unauthenticated } from "./errors";

export interface SandboxUser {
  userName: string;
  admin: boolean;
}

/** Everything one workspace keeps: users, and one state slice per API area. */
export interface WorkspaceData {
  host: string;
  orgId: string;
  users: SandboxUser[];
  /** Per-area state, keyed by area name; each area owns and types its own slice. */
  areas: Record<string, unknown>;
  /** Counter behind `newId`. */
  idCounter: number;
  /**
   * Workspace settings as `workspace-conf` holds them (string values, e.g. `maxTokenLifetimeDays`).
   * Absent in state written before they existed: filled from the seed at start.
   */
  conf?: Record<string, string>;
  /** How the front end words an invalid token (seed `invalidTokenForm`); not state, re-read from the seed. */
  invalidTokenForm?: "json" | "html";
  /** Whether `clusters/update` is served (seed `clustersUpdate`); re-read from the seed. */
  clustersUpdate?: boolean;
}

/**
 * One API area of a workspace (tokens, clusters, DBFS, ...): its initial state from the seed
 * and its routes. Areas share nothing but the runtime, so each can be read on its own.
 */
export interface WorkspaceArea<S> {
  name: string;
  init(seed: WorkspaceSeed, ws: WorkspaceRuntime): S;
  routes(app: FastifyInstance, ws: WorkspaceRuntime): void;
}

/** What route handlers get: the workspace's state, its clock, identity of the caller, and save. */
export class WorkspaceRuntime extends ServiceInstance<WorkspaceData, SandboxUser> {
  get orgId(): string {
    return this.data.orgId;
  }

  slice<S>(area: string): S {
    const slice = this.data.areas[area];
    if (slice === undefined) throw new Error(`sandbox bug: area ${area} has no state`);
    return slice as S;
  }

  /** A fresh id, unique within this workspace. */
  newId(): number {
    this.data.idCounter += 1;
    return this.data.idCounter;
  }

  /** A workspace-conf setting, or undefined when unset. */
  setting(key: string): string | undefined {
    return this.data.conf?.[key];
  }

  /** The user's SCIM id: a stable number derived from the user name, as the real ids are numeric strings. */
  userId(userName: string): string {
    return String(BigInt(`0x${createHash("sha256").update(`${this.host}/${userName}`).digest("hex").slice(0, 13)}`));
  }

  user(userName: string): SandboxUser | undefined {
    return this.data.users.find((u) => u.userName === userName);
  }

  protected noCaller(): Error {
    return unauthenticated();
  }
}

export const hashToken = (value: string): string => createHash("sha256").update(value).digest("hex");

/** A personal access token in Databricks' own form: `dapi` and 32 hex digits. */
export const newTokenValue = (): string => `dapi${randomBytes(16).toString("hex")}`;
