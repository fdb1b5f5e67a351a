import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { OidcPayload, OidcRecords, OidcRecordSummary, TokenLookup } from '../store.ts';
import { withDuplicateCheck } from './sqlite-errors.ts';
import type { SqliteWriteQueue } from './sqlite-write-queue.ts';

interface RecordRow {
  id: string;
  payload: string;
  consumed_at: number | null;
  expires_at: number | null;
}

const LIVE = '(expires_at IS NULL OR expires_at > ?)';
/** How many models `findToken` looks in at most (oidc-provider's introspection asks for three). */
const TOKEN_MODELS_AT_MOST = 3;

interface TokenRow extends RecordRow {
  role: 'token' | 'grant' | 'session';
  model: string;
}

function toPayload(row: RecordRow | undefined): OidcPayload | undefined {
  if (!row) return undefined;
  const payload = JSON.parse(row.payload) as OidcPayload;
  // oidc-provider only needs `consumed` truthy; Keyline reads it as the epoch second (with a fraction)
  // of consumption, for the refresh-token reuse interval.
  if (row.consumed_at !== null) payload.consumed = row.consumed_at / 1000;
  return payload;
}

/**
 * The token, then its grant by primary key and its session by the uid its payload names. CROSS JOIN
 * fixes the order (SQLite otherwise chose to scan every Grant for the one the token names).
 */
export const FIND_TOKEN_SQL = `
      WITH token AS (
        SELECT model, id, payload, consumed_at, expires_at, grant_id FROM oidc_records
        WHERE id = ? AND model IN (${Array(TOKEN_MODELS_AT_MOST).fill('?').join(', ')}) AND ${LIVE} LIMIT 1)
      SELECT 'token' AS role, model, id, payload, consumed_at, expires_at FROM token
      UNION ALL
      SELECT 'grant', g.model, g.id, g.payload, g.consumed_at, g.expires_at FROM token CROSS JOIN oidc_records g
        ON g.model = 'Grant' AND g.id = token.grant_id AND (g.expires_at IS NULL OR g.expires_at > ?)
      UNION ALL
      SELECT 'session', s.model, s.id, s.payload, s.consumed_at, s.expires_at FROM token CROSS JOIN oidc_records s
        ON s.model = 'Session' AND s.uid = json_extract(token.payload, '$.sessionUid') AND (s.expires_at IS NULL OR s.expires_at > ?)`;

export class SqliteOidcRecords implements OidcRecords {
  readonly #upsert: StatementSync;
  readonly #find: StatementSync;
  readonly #findToken: StatementSync;
  readonly #findByUid: StatementSync;
  readonly #findByUserCode: StatementSync;
  readonly #consume: StatementSync;
  readonly #destroy: StatementSync;
  readonly #revokeByGrantId: StatementSync;
  readonly #listByAccount: StatementSync;
  readonly #destroyByAccount: StatementSync;
  readonly #writes: SqliteWriteQueue;

  /** Every write goes through `writes`, the connection's group commit, so writes run in the order they were asked for. */
  constructor(db: DatabaseSync, writes: SqliteWriteQueue) {
    this.#writes = writes;
    this.#upsert = db.prepare(`
      INSERT INTO oidc_records (model, id, payload, uid, user_code, grant_id, account_id, consumed_at, expires_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)
      ON CONFLICT (model, id) DO UPDATE SET
        payload = excluded.payload, uid = excluded.uid, user_code = excluded.user_code,
        grant_id = excluded.grant_id, account_id = excluded.account_id, expires_at = excluded.expires_at`);
    const select = 'SELECT id, payload, consumed_at, expires_at FROM oidc_records';
    this.#find = db.prepare(`${select} WHERE model = ? AND id = ? AND ${LIVE}`);
    this.#findByUid = db.prepare(`${select} WHERE model = ? AND uid = ? AND ${LIVE}`);
    this.#findToken = db.prepare(FIND_TOKEN_SQL);
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
    const json = JSON.stringify(payload);
    await this.#writes.run(() => withDuplicateCheck(model, uniqueField, String(payload[uniqueField] ?? id), () => this.#upsert.run(
      model, id, json,
      payload.uid ?? null, payload.userCode ?? null, payload.grantId ?? null, payload.accountId ?? null,
      expiresAt,
    )));
  }

  async find(model: string, id: string): Promise<OidcPayload | undefined> {
    return toPayload(this.#find.get(model, id, Date.now()) as RecordRow | undefined);
  }

  async findToken(models: readonly string[], id: string): Promise<TokenLookup | undefined> {
    if (models.length === 0 || models.length > TOKEN_MODELS_AT_MOST) throw new RangeError(`findToken looks in 1 to ${TOKEN_MODELS_AT_MOST} models`);
    const padded = Array.from({ length: TOKEN_MODELS_AT_MOST }, (_, index) => models[Math.min(index, models.length - 1)]!);
    const now = Date.now();
    const rows = this.#findToken.all(id, ...padded, now, now, now) as unknown as TokenRow[];
    const token = rows.find((row) => row.role === 'token');
    if (!token) return undefined;
    return {
      model: token.model,
      payload: toPayload(token)!,
      grant: toPayload(rows.find((row) => row.role === 'grant')),
      session: toPayload(rows.find((row) => row.role === 'session')),
    };
  }

  async findByUid(model: string, uid: string): Promise<OidcPayload | undefined> {
    return toPayload(this.#findByUid.get(model, uid, Date.now()) as RecordRow | undefined);
  }

  async findByUserCode(model: string, userCode: string): Promise<OidcPayload | undefined> {
    return toPayload(this.#findByUserCode.get(model, userCode, Date.now()) as RecordRow | undefined);
  }

  consume(model: string, id: string): Promise<boolean> {
    return this.#writes.run(() => {
      const now = Date.now();
      return this.#consume.run(now, model, id, now).changes === 1;
    });
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.#writes.run(() => this.#destroy.run(model, id));
  }

  revokeByGrantId(model: string, grantId: string): Promise<number> {
    return this.#writes.run(() => Number(this.#revokeByGrantId.run(grantId, model).changes));
  }

  async listByAccount(model: string, accountId: string): Promise<OidcRecordSummary[]> {
    const rows = this.#listByAccount.all(accountId, model, Date.now()) as unknown as RecordRow[];
    return rows.map((row) => ({
      id: row.id,
      payload: toPayload(row)!,
      expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
    }));
  }

  /** Through the same queue as every other write, so it also removes what was asked to be written before it. */
  destroyByAccount(accountId: string): Promise<number> {
    return this.#writes.run(() => Number(this.#destroyByAccount.run(accountId).changes));
  }
}
