import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { NotFoundError } from '../store-errors.ts';
import type {
  AccountAttributes, AccountPageQuery, AccountPatch, AccountRecord, Accounts,
} from '../store.ts';
import { withDuplicateCheck } from './sqlite-errors.ts';

interface AccountRow {
  id: string;
  email: string;
  name: string | null;
  email_verified: number;
  profile: string;
  attributes: string;
  password_hash: string;
  disabled: number;
  created_at: number;
  updated_at: number;
}

/** The record with its custom attributes, leaving the key out when there are none. */
function withAttributes(account: Omit<AccountRecord, 'attributes'>, attributes: AccountAttributes | undefined): AccountRecord {
  return attributes && Object.keys(attributes).length > 0 ? { ...account, attributes } : account;
}

function toAccount(row: AccountRow | undefined): AccountRecord | undefined {
  if (!row) return undefined;
  return withAttributes({
    id: row.id,
    email: row.email,
    emailVerified: row.email_verified === 1,
    name: row.name,
    profile: JSON.parse(row.profile) as AccountRecord['profile'],
    passwordHash: row.password_hash,
    disabled: row.disabled === 1,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  }, JSON.parse(row.attributes) as AccountAttributes);
}

export class SqliteAccounts implements Accounts {
  readonly #insert: StatementSync;
  readonly #findById: StatementSync;
  readonly #findByEmail: StatementSync;
  readonly #list: StatementSync;
  readonly #update: StatementSync;
  readonly #replaceAttributes: StatementSync;
  readonly #page: StatementSync;
  readonly #remove: StatementSync;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare(`INSERT INTO accounts (id, email, email_verified, name, profile, attributes, password_hash, disabled, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#findById = db.prepare('SELECT * FROM accounts WHERE id = ?');
    this.#findByEmail = db.prepare('SELECT * FROM accounts WHERE email = ?');
    this.#list = db.prepare('SELECT * FROM accounts ORDER BY email');
    // instr() rather than LIKE: the searched text is taken literally, with no wildcard characters to escape.
    this.#page = db.prepare(`SELECT * FROM accounts WHERE email > ? AND (? IS NULL OR instr(email, ?) > 0) ORDER BY email LIMIT ?`);
    this.#remove = db.prepare('DELETE FROM accounts WHERE id = ?');
    this.#update = db.prepare(`UPDATE accounts SET name = ?, email_verified = ?, profile = ?, attributes = ?, password_hash = ?, disabled = ?, updated_at = ?
      WHERE id = ?`);
    // The stored text is always JSON.stringify of the map, so text equality is value equality.
    this.#replaceAttributes = db.prepare('UPDATE accounts SET attributes = ?, updated_at = ? WHERE id = ? AND attributes = ?');
  }

  async create(account: AccountRecord): Promise<void> {
    withDuplicateCheck('account', 'email', account.email, () => this.#insert.run(
      account.id, account.email, account.emailVerified ? 1 : 0, account.name, JSON.stringify(account.profile),
      JSON.stringify(account.attributes ?? {}), account.passwordHash, account.disabled ? 1 : 0,
      account.createdAt.getTime(), account.updatedAt.getTime(),
    ));
  }

  async findById(id: string): Promise<AccountRecord | undefined> {
    return toAccount(this.#findById.get(id) as AccountRow | undefined);
  }

  async findByEmail(email: string): Promise<AccountRecord | undefined> {
    return toAccount(this.#findByEmail.get(email) as AccountRow | undefined);
  }

  async list(): Promise<AccountRecord[]> {
    return (this.#list.all() as unknown as AccountRow[]).map((row) => toAccount(row)!);
  }

  async page(query: AccountPageQuery): Promise<AccountRecord[]> {
    const contains = query.emailContains ?? null;
    return (this.#page.all(query.afterEmail ?? '', contains, contains, query.limit) as unknown as AccountRow[]).map((row) => toAccount(row)!);
  }

  async remove(id: string): Promise<boolean> {
    return this.#remove.run(id).changes === 1;
  }

  async replaceAttributes(id: string, expected: AccountAttributes, next: AccountAttributes): Promise<boolean> {
    if (this.#replaceAttributes.run(JSON.stringify(next), Date.now(), id, JSON.stringify(expected)).changes === 1) return true;
    if (!this.#findById.get(id)) throw new NotFoundError('account', id);
    return false;
  }

  async update(id: string, patch: AccountPatch): Promise<AccountRecord> {
    const current = await this.findById(id);
    if (!current) throw new NotFoundError('account', id);
    const { attributes: patchedAttributes, ...rest } = patch;
    const { attributes: currentAttributes, ...next } = { ...current, ...rest, updatedAt: new Date() };
    const attributes = patchedAttributes ?? currentAttributes ?? {};
    this.#update.run(
      next.name, next.emailVerified ? 1 : 0, JSON.stringify(next.profile), JSON.stringify(attributes), next.passwordHash, next.disabled ? 1 : 0,
      next.updatedAt.getTime(), id,
    );
    return withAttributes(next, attributes);
  }
}
