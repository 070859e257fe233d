import { newConnection } from "./connections";
import { datastoreSettings, requireUniqueDatastoreName } from "./datastore-fields";
import { linkEnrichment } from "./enrichment";
import { hashToken, type QualyticsInstance } from "./instance";
import type { InstanceData } from "./model";
import type { QualyticsDatastoreSeed, QualyticsInstanceSeed } from "./seed";
import { verifyQualyticsToken } from "./tokens";

/** A deployment's state before any request: users, teams, and no datastores yet. */
export function newInstanceData(seed: QualyticsInstanceSeed): InstanceData {
  requireSignedTokens(seed);
  return {
    host: seed.host,
    dialect: seed.dialect,
    unsavedConnectionTest: seed.unsavedConnectionTest,
    createTestsConnection: seed.createTestsConnection,
    tokenSigningKey: seed.tokenSigningKey,
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
      const store = {
        id: inst.nextId("datastore"),
        created: now,
        updated: now,
        connectionId: connection.id,
        ...settings,
        enrichDatastoreId: null,
        connected: seed.connected,
      };
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

/** Every seeded token must be a JWT this deployment signed (an expired one is fine). */
function requireSignedTokens(seed: QualyticsInstanceSeed): void {
  for (const user of seed.users) {
    for (const token of user.tokens) {
      const check = verifyQualyticsToken(seed.tokenSigningKey, token.value, 0);
      if (!check.ok) {
        throw new Error(
          `qualytics seed for ${seed.host}: a token of ${user.email} is not a JWT signed with the deployment's tokenSigningKey (${check.reason}); ` +
            "Qualytics tokens are JWTs: make one with mintQualyticsToken(tokenSigningKey, {sub, exp}) from sandbox/qualytics/tokens.ts",
        );
      }
    }
  }
}

/**
 * A deployment restored from disk takes the seed's settings and tokens again: a seed edited
 * since (a new dialect, new JWTs replacing the plain tokens of earlier versions) applies on the
 * next start without wiping datastores.
 */
export function refreshFromSeed(data: InstanceData, seed: QualyticsInstanceSeed): void {
  requireSignedTokens(seed);
  data.dialect = seed.dialect;
  data.unsavedConnectionTest = seed.unsavedConnectionTest;
  data.createTestsConnection = seed.createTestsConnection;
  data.tokenSigningKey = seed.tokenSigningKey;
  for (const u of seed.users) {
    const user = data.users.find((x) => x.email === u.email);
    const hashes = u.tokens.map((t) => hashToken(t.value));
    if (!user) data.users.push({ email: u.email, role: u.role, tokenHashes: hashes });
    else user.tokenHashes = [...new Set([...user.tokenHashes, ...hashes])];
  }
}
