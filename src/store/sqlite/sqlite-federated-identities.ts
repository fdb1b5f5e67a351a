import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { FederatedIdentities, FederatedIdentityRecord } from '../store.ts';

interface IdentityRow {
  upstream_id: string;
  subject: string;
  account_id: string;
  linked_at: number;
  last_sign_in_at: number | null;
}

function toIdentity(row: IdentityRow): FederatedIdentityRecord {
  return {
    upstreamId: row.upstream_id,
    subject: row.subject,
    accountId: row.account_id,
    linkedAt: new Date(row.linked_at),
    lastSignInAt: row.last_sign_in_at === null ? null : new Date(row.last_sign_in_at),
  };
}

/** Linked upstream identities; (upstream_id, subject) is the primary key, so a link exists once. */
export class SqliteFederatedIdentities implements FederatedIdentities {
  readonly #insert: StatementSync;
  readonly #find: StatementSync;
  readonly #listByAccount: StatementSync;
  readonly #recordSignIn: StatementSync;
  readonly #remove: StatementSync;
  readonly #removeAccount: StatementSync;
  readonly #removeUpstream: StatementSync;
  readonly #anyForUpstream: StatementSync;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare(`INSERT INTO federated_identities (upstream_id, subject, account_id, linked_at, last_sign_in_at)
      VALUES (?, ?, ?, ?, ?) ON CONFLICT (upstream_id, subject) DO NOTHING`);
    this.#find = db.prepare('SELECT * FROM federated_identities WHERE upstream_id = ? AND subject = ?');
    this.#listByAccount = db.prepare('SELECT * FROM federated_identities WHERE account_id = ? ORDER BY linked_at, upstream_id, subject');
    this.#recordSignIn = db.prepare('UPDATE federated_identities SET last_sign_in_at = ? WHERE upstream_id = ? AND subject = ?');
    this.#remove = db.prepare('DELETE FROM federated_identities WHERE upstream_id = ? AND subject = ?');
    this.#removeAccount = db.prepare('DELETE FROM federated_identities WHERE account_id = ?');
    this.#removeUpstream = db.prepare('DELETE FROM federated_identities WHERE upstream_id = ?');
    this.#anyForUpstream = db.prepare('SELECT 1 FROM federated_identities WHERE upstream_id = ? LIMIT 1');
  }

  async link(identity: FederatedIdentityRecord): Promise<{ identity: FederatedIdentityRecord; created: boolean }> {
    const created = this.#insert.run(
      identity.upstreamId, identity.subject, identity.accountId, identity.linkedAt.getTime(), identity.lastSignInAt?.getTime() ?? null,
    ).changes === 1;
    return { identity: (await this.find(identity.upstreamId, identity.subject))!, created };
  }

  async find(upstreamId: string, subject: string): Promise<FederatedIdentityRecord | undefined> {
    const row = this.#find.get(upstreamId, subject) as IdentityRow | undefined;
    return row ? toIdentity(row) : undefined;
  }

  async listByAccount(accountId: string): Promise<FederatedIdentityRecord[]> {
    return (this.#listByAccount.all(accountId) as unknown as IdentityRow[]).map(toIdentity);
  }

  async recordSignIn(upstreamId: string, subject: string, at: Date): Promise<boolean> {
    return this.#recordSignIn.run(at.getTime(), upstreamId, subject).changes === 1;
  }

  async remove(upstreamId: string, subject: string): Promise<boolean> {
    return this.#remove.run(upstreamId, subject).changes === 1;
  }

  async removeAccount(accountId: string): Promise<number> {
    return Number(this.#removeAccount.run(accountId).changes);
  }

  async anyForUpstream(upstreamId: string): Promise<boolean> {
    return this.#anyForUpstream.get(upstreamId) !== undefined;
  }

  async removeUpstream(upstreamId: string): Promise<number> {
    return Number(this.#removeUpstream.run(upstreamId).changes);
  }
}
