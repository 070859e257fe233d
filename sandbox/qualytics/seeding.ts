import { newConnection } from "./connections";
import { datastoreSettings, requireUniqueDatastoreName } from "./datastore-fields";
import { linkEnrichment } from "./enrichment";
import { hashToken, type QualyticsInstance } from "./instance";
import type { InstanceData } from "./model";
import type { QualyticsDatastoreSeed, QualyticsInstanceSeed } from "./seed";

/** A deployment's state before any request: users, teams, and no datastores yet. */
export function newInstanceData(seed: QualyticsInstanceSeed): InstanceData {
  return {
    host: seed.host,
    users: seed.users.map((u) => ({ email: u.email, role: u.role, tokenHashes: u.tokens.map((t) => hashToken(t.value)) })),
    teams: seed.teams.map((name, index) => ({ id: index + 1, name })),
    connections: [],
    datastores: [],
    operations: [],
    lastIds: { team: seed.teams.length, connection: 0, datastore: 0, operation: 0 },
  };
}

/**
 * Adds the seed's datastores with the same rules as the API (unique names, known teams, link
 * rules) but without a connection test or sync, so startup makes no HTTP calls. A seeded inline
 * connection whose name was already seeded is shared. A bad seed fails startup loudly.
 */
export function seedDatastores(inst: QualyticsInstance, seeds: QualyticsDatastoreSeed[]): void {
  for (const seed of seeds) {
    try {
      requireUniqueDatastoreName(inst, seed.name);
      const settings = datastoreSettings(inst, seed);
      let connection = seed.connection ? inst.data.connections.find((c) => c.name === seed.connection!.name) : inst.connection(seed.connection_id!);
      if (!connection) {
        connection = newConnection(inst, seed.connection!);
        inst.data.connections.push(connection);
      }
      const now = inst.nowIso();
      const store = { id: inst.nextId("datastore"), created: now, updated: now, connectionId: connection.id, ...settings, enrichDatastoreId: null, connected: seed.connected };
      if (seed.enrich_datastore !== undefined) {
        const enrich = inst.data.datastores.find((d) => d.name === seed.enrich_datastore);
        if (!enrich) throw new Error(`enrich_datastore '${seed.enrich_datastore}' is not an earlier seeded datastore`);
        linkEnrichment(inst, store, enrich.id);
      }
      inst.data.datastores.push(store);
    } catch (err) {
      throw new Error(`qualytics seed for ${inst.host}: datastore '${seed.name}': ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
