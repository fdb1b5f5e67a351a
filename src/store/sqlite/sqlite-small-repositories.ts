import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type {
  ConsentRecord, Consents, CounterState, Counters, Secrets, SigningKeys, StoredSigningKey,
} from '../store.ts';
import { keyPrefixRange } from '../key-prefix-range.ts';
import { withDuplicateCheck } from './sqlite-errors.ts';

export class SqliteSigningKeys implements SigningKeys {
  readonly #list: StatementSync;
  readonly #insert: StatementSync;

  constructor(db: DatabaseSync) {
    this.#list = db.prepare('SELECT kid, alg, private_jwk, created_at FROM signing_keys ORDER BY created_at, kid');
    this.#insert = db.prepare('INSERT INTO signing_keys (kid, alg, private_jwk, created_at) VALUES (?, ?, ?, ?)');
  }

  async list(): Promise<StoredSigningKey[]> {
    const rows = this.#list.all() as unknown as Array<{ kid: string; alg: string; private_jwk: string; created_at: number }>;
    return rows.map((row) => ({
      kid: row.kid,
      alg: row.alg,
      privateJwk: JSON.parse(row.private_jwk) as Record<string, unknown>,
      createdAt: new Date(row.created_at),
    }));
  }

  async add(key: StoredSigningKey): Promise<void> {
    withDuplicateCheck('signing key', 'kid', key.kid, () => this.#insert.run(
      key.kid, key.alg, JSON.stringify(key.privateJwk), key.createdAt.getTime(),
    ));
  }
}

export class SqliteSecrets implements Secrets {
  readonly #get: StatementSync;
  readonly #insertIfAbsent: StatementSync;

  constructor(db: DatabaseSync) {
    this.#get = db.prepare('SELECT value FROM secrets WHERE name = ?');
    this.#insertIfAbsent = db.prepare('INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING');
  }

  async get(name: string): Promise<string | undefined> {
    return (this.#get.get(name) as { value: string } | undefined)?.value;
  }

  async putIfAbsent(name: string, value: string): Promise<string> {
    this.#insertIfAbsent.run(name, value, Date.now());
    return (await this.get(name))!;
  }
}

export class SqliteConsents implements Consents {
  readonly #find: StatementSync;
  readonly #save: StatementSync;
  readonly #removeForClient: StatementSync;

  constructor(db: DatabaseSync) {
    this.#find = db.prepare('SELECT * FROM consents WHERE account_id = ? AND client_id = ?');
    this.#save = db.prepare(`INSERT INTO consents (account_id, client_id, scopes, claims, resources, updated_at)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (account_id, client_id) DO UPDATE SET
        scopes = excluded.scopes, claims = excluded.claims, resources = excluded.resources, updated_at = excluded.updated_at`);
    this.#removeForClient = db.prepare('DELETE FROM consents WHERE client_id = ?');
  }

  async find(accountId: string, clientId: string): Promise<ConsentRecord | undefined> {
    const row = this.#find.get(accountId, clientId) as
      { scopes: string; claims: string; resources: string; updated_at: number } | undefined;
    if (!row) return undefined;
    return {
      accountId,
      clientId,
      scopes: JSON.parse(row.scopes) as string[],
      claims: JSON.parse(row.claims) as string[],
      resources: JSON.parse(row.resources) as Record<string, string[]>,
      updatedAt: new Date(row.updated_at),
    };
  }

  async save(consent: ConsentRecord): Promise<void> {
    this.#save.run(
      consent.accountId, consent.clientId, JSON.stringify(consent.scopes), JSON.stringify(consent.claims),
      JSON.stringify(consent.resources), consent.updatedAt.getTime(),
    );
  }

  async removeForClient(clientId: string): Promise<void> {
    this.#removeForClient.run(clientId);
  }
}

export class SqliteCounters implements Counters {
  readonly #increment: StatementSync;
  readonly #decrement: StatementSync;
  readonly #get: StatementSync;
  readonly #reset: StatementSync;
  readonly #resetRange: StatementSync;

  constructor(db: DatabaseSync) {
    // One statement, so the read-modify-write is atomic across processes sharing the file.
    this.#increment = db.prepare(`INSERT INTO counters (key, count, reset_at) VALUES (?, 1, ?)
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN counters.reset_at <= ? THEN 1 ELSE counters.count + 1 END,
        reset_at = CASE WHEN counters.reset_at <= ? THEN excluded.reset_at ELSE counters.reset_at END
      RETURNING count, reset_at`);
    this.#decrement = db.prepare('UPDATE counters SET count = count - 1 WHERE key = ? AND count > 0 AND reset_at > ?');
    this.#get = db.prepare('SELECT count, reset_at FROM counters WHERE key = ? AND reset_at > ?');
    this.#reset = db.prepare('DELETE FROM counters WHERE key = ?');
    this.#resetRange = db.prepare('DELETE FROM counters WHERE key >= ? AND key < ?');
  }

  async increment(key: string, windowSeconds: number): Promise<CounterState> {
    const now = Date.now();
    const row = this.#increment.get(key, now + windowSeconds * 1000, now, now) as { count: number; reset_at: number };
    return { count: row.count, resetAt: new Date(row.reset_at) };
  }

  async get(key: string): Promise<CounterState | undefined> {
    const row = this.#get.get(key, Date.now()) as { count: number; reset_at: number } | undefined;
    return row ? { count: row.count, resetAt: new Date(row.reset_at) } : undefined;
  }

  async decrement(key: string): Promise<void> {
    this.#decrement.run(key, Date.now());
  }

  async reset(key: string): Promise<void> {
    this.#reset.run(key);
  }

  async resetPrefix(prefix: string): Promise<number> {
    const { lower, upper } = keyPrefixRange(prefix);
    return Number(this.#resetRange.run(lower, upper).changes);
  }
}
