import type { FastifyInstance } from "fastify";
import * as path from "path";
import { JsonFile } from "./persistence";

/** The control route every service answers: `GET /__sandbox/secrets` -> `{secrets: string[]}`. */
export const SECRETS_ROUTE = "/__sandbox/secrets";

interface LedgerFile {
  version: 1;
  secrets: string[];
}

/**
 * Every secret value one sandbox service has known: seeded credentials, tokens and login
 * sessions it issued, and credentials handed to it. Services keep tokens, passwords and API keys
 * only as hashes, as the real ones do, so they record each value here when they see it in clear.
 * A value is never forgotten (a revoked token must still never leak), and the ledger is kept
 * beside the service's state (`<stateDir>/<service>-secrets.json`) so a restarted sandbox still
 * knows what it issued before.
 *
 * Only for tests (the secret audit); nothing here is part of the services' APIs.
 */
export class SecretLedger {
  private readonly values = new Set<string>();
  private readonly file: JsonFile<LedgerFile>;

  constructor(service: string, stateDir?: string) {
    this.file = new JsonFile<LedgerFile>(stateDir ? path.join(stateDir, `${service}-secrets.json`) : undefined);
    for (const value of this.file.load()?.secrets ?? []) this.values.add(value);
  }

  /** Records values (empty and missing ones are ignored); writes the ledger when one is new. */
  add(...values: (string | null | undefined)[]): void {
    let added = false;
    for (const value of values) {
      if (typeof value !== "string" || value === "" || this.values.has(value)) continue;
      this.values.add(value);
      added = true;
    }
    if (added) this.file.save({ version: 1, secrets: [...this.values] });
  }

  list(): string[] {
    return [...this.values].sort();
  }
}

/**
 * Installs `GET /__sandbox/secrets` on one of a service's listeners. `current` names the secrets
 * the service holds in clear right now (stored secrets, connection passwords, ...); they are
 * recorded in the ledger too, so the answer is everything ever known, not only what is left.
 * Every listener of a service answers with the whole service's secrets.
 */
export function installSecretsRoute(app: FastifyInstance, ledger: SecretLedger, current: () => Iterable<string | null | undefined> = () => []): void {
  app.get(SECRETS_ROUTE, async () => {
    ledger.add(...current());
    return { secrets: ledger.list() };
  });
}
