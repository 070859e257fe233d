import { createHash } from "crypto";
import type { FastifyRequest } from "fastify";
import { ServiceInstance, type InstanceContext } from "../common/instance";
import type { Dialect } from "./dialect";
import { DEFAULT_SIGNING_KEY } from "./tokens";
import type { DatabricksConnectionTester } from "./connection-test";
import { connectionNotFound, datastoreNotFound, forbidden, notAuthenticated } from "./errors";
import { ROLES, type ConnectionRecord, type DatastoreRecord, type InstanceData, type QualyticsUser, type Role } from "./model";

export const hashToken = (value: string): string => createHash("sha256").update(value).digest("hex");

/** What route handlers get: the deployment's state, its clock, the caller, and save. */
export class QualyticsInstance extends ServiceInstance<InstanceData, QualyticsUser> {
  /** `tester` decides connection tests by calling the Databricks sandbox. */
  constructor(
    data: InstanceData,
    context: InstanceContext,
    readonly tester: DatabricksConnectionTester,
  ) {
    super(data, context);
  }

  get dialect(): Dialect {
    return this.data.dialect ?? "cli";
  }

  get signingKey(): string {
    return this.data.tokenSigningKey ?? DEFAULT_SIGNING_KEY;
  }

  nextId(table: keyof InstanceData["lastIds"]): number {
    this.data.lastIds[table] += 1;
    return this.data.lastIds[table];
  }

  nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  userByToken(value: string): QualyticsUser | undefined {
    const hash = hashToken(value);
    return this.data.users.find((u) => u.tokenHashes.includes(hash));
  }

  protected noCaller(): Error {
    return notAuthenticated();
  }

  /**
   * The guide's minimum user role per action (e.g. Manager to create a datastore, Admin to
   * delete one or unlink enrichment). Team-level permissions are not modelled. The wording of
   * the real 403 for a role check is unconfirmed.
   */
  requireRole(req: FastifyRequest, minimum: Role): QualyticsUser {
    const user = this.caller(req);
    if (ROLES.indexOf(user.role) < ROLES.indexOf(minimum)) {
      throw forbidden(`You must have the ${minimum} role or higher to perform this action`);
    }
    return user;
  }

  datastore(id: number): DatastoreRecord {
    const found = this.data.datastores.find((d) => d.id === id);
    if (!found) throw datastoreNotFound(id);
    return found;
  }

  connection(id: number): ConnectionRecord {
    const found = this.data.connections.find((c) => c.id === id);
    if (!found) throw connectionNotFound(id);
    return found;
  }

  /** The connection a datastore uses (always present: a used connection cannot be deleted). */
  connectionOf(datastore: DatastoreRecord): ConnectionRecord {
    return this.connection(datastore.connectionId);
  }
}
