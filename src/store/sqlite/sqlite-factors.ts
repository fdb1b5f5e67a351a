import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { FactorRecord, Factors, FactorType, RecoveryCodes } from '../store.ts';
import { withDuplicateCheck } from './sqlite-errors.ts';

interface FactorRow {
  id: string;
  account_id: string;
  type: string;
  name: string;
  counter: number;
  credential_id: string | null;
  data: string;
  created_at: number;
  last_used_at: number | null;
}

function toFactor(row: FactorRow | undefined): FactorRecord | undefined {
  if (!row) return undefined;
  return {
    id: row.id,
    accountId: row.account_id,
    type: row.type as FactorType,
    name: row.name,
    counter: row.counter,
    credentialId: row.credential_id,
    data: JSON.parse(row.data) as Record<string, unknown>,
    createdAt: new Date(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at),
  };
}

export class SqliteFactors implements Factors {
  readonly #insert: StatementSync;
  readonly #find: StatementSync;
  readonly #findByCredential: StatementSync;
  readonly #listByAccount: StatementSync;
  readonly #recordUse: StatementSync;
  readonly #rename: StatementSync;
  readonly #remove: StatementSync;
  readonly #removeAll: StatementSync;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare(`INSERT INTO factors (id, account_id, type, name, counter, credential_id, data, created_at, last_used_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#find = db.prepare('SELECT * FROM factors WHERE id = ?');
    this.#findByCredential = db.prepare('SELECT * FROM factors WHERE credential_id = ?');
    this.#listByAccount = db.prepare('SELECT * FROM factors WHERE account_id = ? ORDER BY created_at, id');
    // One statement: the counter moves only from the value the caller saw, across processes too.
    this.#recordUse = db.prepare('UPDATE factors SET counter = ?, last_used_at = ? WHERE id = ? AND counter = ?');
    this.#rename = db.prepare('UPDATE factors SET name = ? WHERE id = ? AND account_id = ?');
    this.#remove = db.prepare('DELETE FROM factors WHERE id = ? AND account_id = ?');
    this.#removeAll = db.prepare('DELETE FROM factors WHERE account_id = ?');
  }

  async add(factor: FactorRecord): Promise<void> {
    withDuplicateCheck('factor', 'credential id', factor.credentialId ?? factor.id, () => this.#insert.run(
      factor.id, factor.accountId, factor.type, factor.name, factor.counter, factor.credentialId, JSON.stringify(factor.data),
      factor.createdAt.getTime(), factor.lastUsedAt?.getTime() ?? null,
    ));
  }

  async find(id: string): Promise<FactorRecord | undefined> {
    return toFactor(this.#find.get(id) as FactorRow | undefined);
  }

  async findByCredentialId(credentialId: string): Promise<FactorRecord | undefined> {
    return toFactor(this.#findByCredential.get(credentialId) as FactorRow | undefined);
  }

  async listByAccount(accountId: string): Promise<FactorRecord[]> {
    return (this.#listByAccount.all(accountId) as unknown as FactorRow[]).map((row) => toFactor(row)!);
  }

  async recordUse(id: string, expected: number, next: number): Promise<boolean> {
    return this.#recordUse.run(next, Date.now(), id, expected).changes === 1;
  }

  async rename(accountId: string, id: string, name: string): Promise<boolean> {
    return this.#rename.run(name, id, accountId).changes === 1;
  }

  async remove(accountId: string, id: string): Promise<boolean> {
    return this.#remove.run(id, accountId).changes === 1;
  }

  async removeAllForAccount(accountId: string): Promise<number> {
    return Number(this.#removeAll.run(accountId).changes);
  }
}

export class SqliteRecoveryCodes implements RecoveryCodes {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #use: StatementSync;
  readonly #countUnused: StatementSync;
  readonly #removeAll: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insert = db.prepare('INSERT INTO recovery_codes (account_id, code_hash, used_at) VALUES (?, ?, NULL)');
    this.#use = db.prepare('UPDATE recovery_codes SET used_at = ? WHERE account_id = ? AND code_hash = ? AND used_at IS NULL');
    this.#countUnused = db.prepare('SELECT COUNT(*) AS unused FROM recovery_codes WHERE account_id = ? AND used_at IS NULL');
    this.#removeAll = db.prepare('DELETE FROM recovery_codes WHERE account_id = ?');
  }

  async replace(accountId: string, codeHashes: string[]): Promise<void> {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      this.#removeAll.run(accountId);
      for (const hash of new Set(codeHashes)) this.#insert.run(accountId, hash);
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  async use(accountId: string, codeHash: string): Promise<boolean> {
    return this.#use.run(Date.now(), accountId, codeHash).changes === 1;
  }

  async countUnused(accountId: string): Promise<number> {
    return (this.#countUnused.get(accountId) as { unused: number }).unused;
  }

  async removeAllForAccount(accountId: string): Promise<void> {
    this.#removeAll.run(accountId);
  }
}
