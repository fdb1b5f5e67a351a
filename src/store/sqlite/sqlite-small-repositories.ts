import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type {
  ConsentRecord, Consents, CounterState, Counters, Leases, Secrets, SigningKeys, StoredSigningKey,
} from '../store.ts';
import { keyPrefixRange } from '../key-prefix-range.ts';
import { withDuplicateCheck } from './sqlite-errors.ts';

interface SigningKeyRow {
  kid: string;
  alg: string;
  sequence: number;
  private_jwk: string;
  created_at: number;
  activates_at: number;
  retired_at: number | null;
}

export class SqliteSigningKeys implements SigningKeys {
  readonly #list: StatementSync;
  readonly #insert: StatementSync;
  readonly #retire: StatementSync;
  readonly #replace: StatementSync;

  constructor(db: DatabaseSync) {
    this.#list = db.prepare('SELECT * FROM signing_keys ORDER BY alg, sequence');
    this.#insert = db.prepare(`INSERT INTO signing_keys (kid, alg, sequence, private_jwk, created_at, activates_at, retired_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.#retire = db.prepare('UPDATE signing_keys SET retired_at = ? WHERE kid = ? AND retired_at IS NULL');
    this.#replace = db.prepare('UPDATE signing_keys SET private_jwk = ? WHERE kid = ? AND private_jwk = ?');
  }

  async list(): Promise<StoredSigningKey[]> {
    return (this.#list.all() as unknown as SigningKeyRow[]).map((row) => ({
      kid: row.kid,
      alg: row.alg,
      sequence: row.sequence,
      privateJwk: row.private_jwk,
      createdAt: new Date(row.created_at),
      activatesAt: new Date(row.activates_at),
      retiredAt: row.retired_at === null ? null : new Date(row.retired_at),
    }));
  }

  async add(key: StoredSigningKey): Promise<void> {
    withDuplicateCheck('signing key', 'kid', key.kid, () => this.#insert.run(
      key.kid, key.alg, key.sequence, key.privateJwk, key.createdAt.getTime(), key.activatesAt.getTime(),
      key.retiredAt?.getTime() ?? null,
    ));
  }

  async retire(kid: string, at: Date): Promise<boolean> {
    return this.#retire.run(at.getTime(), kid).changes === 1;
  }

  async replacePrivateJwk(kid: string, expected: string, next: string): Promise<boolean> {
    return this.#replace.run(next, kid, expected).changes === 1;
  }
}

export class SqliteSecrets implements Secrets {
  readonly #get: StatementSync;
  readonly #insertIfAbsent: StatementSync;
  readonly #replace: StatementSync;
  readonly #names: StatementSync;

  constructor(db: DatabaseSync) {
    this.#get = db.prepare('SELECT value FROM secrets WHERE name = ?');
    this.#insertIfAbsent = db.prepare('INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING');
    this.#replace = db.prepare('UPDATE secrets SET value = ? WHERE name = ? AND value = ?');
    this.#names = db.prepare('SELECT name FROM secrets ORDER BY name');
  }

  async get(name: string): Promise<string | undefined> {
    return (this.#get.get(name) as { value: string } | undefined)?.value;
  }

  async putIfAbsent(name: string, value: string): Promise<string> {
    this.#insertIfAbsent.run(name, value, Date.now());
    return (await this.get(name))!;
  }

  async replace(name: string, expected: string, next: string): Promise<boolean> {
    return this.#replace.run(next, name, expected).changes === 1;
  }

  async names(): Promise<string[]> {
    return (this.#names.all() as Array<{ name: string }>).map((row) => row.name);
  }
}

export class SqliteLeases implements Leases {
  readonly #acquire: StatementSync;
  readonly #release: StatementSync;

  constructor(db: DatabaseSync) {
    // One statement: the lease changes hands only when it is free, expired or already ours.
    this.#acquire = db.prepare(`INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
      WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`);
    this.#release = db.prepare('DELETE FROM leases WHERE name = ? AND holder = ?');
  }

  async acquire(name: string, holder: string, ttlSeconds: number): Promise<boolean> {
    const now = Date.now();
    return this.#acquire.run(name, holder, now + ttlSeconds * 1000, now).changes === 1;
  }

  async release(name: string, holder: string): Promise<void> {
    this.#release.run(name, holder);
  }
}

interface ConsentRow {
  account_id: string;
  client_id: string;
  scopes: string;
  claims: string;
  resources: string;
  updated_at: number;
}

function consentOf(row: ConsentRow): ConsentRecord {
  return {
    accountId: row.account_id,
    clientId: row.client_id,
    scopes: JSON.parse(row.scopes) as string[],
    claims: JSON.parse(row.claims) as string[],
    resources: JSON.parse(row.resources) as Record<string, string[]>,
    updatedAt: new Date(row.updated_at),
  };
}

export class SqliteConsents implements Consents {
  readonly #find: StatementSync;
  readonly #save: StatementSync;
  readonly #removeForClient: StatementSync;
  readonly #removeForAccount: StatementSync;
  readonly #listForAccount: StatementSync;
  readonly #remove: StatementSync;

  constructor(db: DatabaseSync) {
    this.#find = db.prepare('SELECT * FROM consents WHERE account_id = ? AND client_id = ?');
    this.#listForAccount = db.prepare('SELECT * FROM consents WHERE account_id = ? ORDER BY updated_at DESC, client_id');
    this.#remove = db.prepare('DELETE FROM consents WHERE account_id = ? AND client_id = ?');
    this.#save = db.prepare(`INSERT INTO consents (account_id, client_id, scopes, claims, resources, updated_at)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (account_id, client_id) DO UPDATE SET
        scopes = excluded.scopes, claims = excluded.claims, resources = excluded.resources, updated_at = excluded.updated_at`);
    this.#removeForClient = db.prepare('DELETE FROM consents WHERE client_id = ?');
    this.#removeForAccount = db.prepare('DELETE FROM consents WHERE account_id = ?');
  }

  async find(accountId: string, clientId: string): Promise<ConsentRecord | undefined> {
    const row = this.#find.get(accountId, clientId) as ConsentRow | undefined;
    return row && consentOf(row);
  }

  async listForAccount(accountId: string): Promise<ConsentRecord[]> {
    return (this.#listForAccount.all(accountId) as unknown as ConsentRow[]).map(consentOf);
  }

  async remove(accountId: string, clientId: string): Promise<boolean> {
    return this.#remove.run(accountId, clientId).changes === 1;
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

  async removeForAccount(accountId: string): Promise<void> {
    this.#removeForAccount.run(accountId);
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
