import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { OidcPayload, OidcRecords, OidcRecordSummary } from '../store.ts';
import { withDuplicateCheck } from './sqlite-errors.ts';

interface RecordRow {
  id: string;
  payload: string;
  consumed_at: number | null;
  expires_at: number | null;
}

const LIVE = '(expires_at IS NULL OR expires_at > ?)';

function toPayload(row: RecordRow | undefined): OidcPayload | undefined {
  if (!row) return undefined;
  const payload = JSON.parse(row.payload) as OidcPayload;
  // oidc-provider only needs `consumed` truthy; Keyline reads it as the epoch second (with a fraction)
  // of consumption, for the refresh-token reuse interval.
  if (row.consumed_at !== null) payload.consumed = row.consumed_at / 1000;
  return payload;
}

export class SqliteOidcRecords implements OidcRecords {
  readonly #upsert: StatementSync;
  readonly #find: StatementSync;
  readonly #findByUid: StatementSync;
  readonly #findByUserCode: StatementSync;
  readonly #consume: StatementSync;
  readonly #destroy: StatementSync;
  readonly #revokeByGrantId: StatementSync;
  readonly #listByAccount: StatementSync;
  readonly #destroyByAccount: StatementSync;

  constructor(db: DatabaseSync) {
    this.#upsert = db.prepare(`
      INSERT INTO oidc_records (model, id, payload, uid, user_code, grant_id, account_id, consumed_at, expires_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)
      ON CONFLICT (model, id) DO UPDATE SET
        payload = excluded.payload, uid = excluded.uid, user_code = excluded.user_code,
        grant_id = excluded.grant_id, account_id = excluded.account_id, expires_at = excluded.expires_at`);
    const select = 'SELECT id, payload, consumed_at, expires_at FROM oidc_records';
    this.#find = db.prepare(`${select} WHERE model = ? AND id = ? AND ${LIVE}`);
    this.#findByUid = db.prepare(`${select} WHERE model = ? AND uid = ? AND ${LIVE}`);
    this.#findByUserCode = db.prepare(`${select} WHERE model = ? AND user_code = ? AND ${LIVE}`);
    this.#consume = db.prepare(
      `UPDATE oidc_records SET consumed_at = ? WHERE model = ? AND id = ? AND consumed_at IS NULL AND ${LIVE}`,
    );
    this.#destroy = db.prepare('DELETE FROM oidc_records WHERE model = ? AND id = ?');
    this.#revokeByGrantId = db.prepare('DELETE FROM oidc_records WHERE grant_id = ? AND model = ?');
    this.#listByAccount = db.prepare(
      `${select} WHERE account_id = ? AND model = ? AND ${LIVE} ORDER BY expires_at DESC`,
    );
    this.#destroyByAccount = db.prepare('DELETE FROM oidc_records WHERE account_id = ?');
  }

  async upsert(model: string, id: string, payload: OidcPayload, expiresInSeconds?: number): Promise<void> {
    const expiresAt = expiresInSeconds ? Date.now() + expiresInSeconds * 1000 : null;
    const uniqueField = payload.userCode ? 'userCode' : 'uid';
    withDuplicateCheck(model, uniqueField, String(payload[uniqueField] ?? id), () => this.#upsert.run(
      model, id, JSON.stringify(payload),
      payload.uid ?? null, payload.userCode ?? null, payload.grantId ?? null, payload.accountId ?? null,
      expiresAt,
    ));
  }

  async find(model: string, id: string): Promise<OidcPayload | undefined> {
    return toPayload(this.#find.get(model, id, Date.now()) as RecordRow | undefined);
  }

  async findByUid(model: string, uid: string): Promise<OidcPayload | undefined> {
    return toPayload(this.#findByUid.get(model, uid, Date.now()) as RecordRow | undefined);
  }

  async findByUserCode(model: string, userCode: string): Promise<OidcPayload | undefined> {
    return toPayload(this.#findByUserCode.get(model, userCode, Date.now()) as RecordRow | undefined);
  }

  async consume(model: string, id: string): Promise<boolean> {
    const now = Date.now();
    return this.#consume.run(now, model, id, now).changes === 1;
  }

  async destroy(model: string, id: string): Promise<void> {
    this.#destroy.run(model, id);
  }

  async revokeByGrantId(model: string, grantId: string): Promise<number> {
    return Number(this.#revokeByGrantId.run(grantId, model).changes);
  }

  async listByAccount(model: string, accountId: string): Promise<OidcRecordSummary[]> {
    const rows = this.#listByAccount.all(accountId, model, Date.now()) as unknown as RecordRow[];
    return rows.map((row) => ({
      id: row.id,
      payload: toPayload(row)!,
      expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
    }));
  }

  async destroyByAccount(accountId: string): Promise<number> {
    return Number(this.#destroyByAccount.run(accountId).changes);
  }
}
