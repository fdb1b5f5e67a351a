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

/** The one row of FIND_TOKEN_SQL, read as an array (cheaper than an object). */
type TokenRow = [
  model: string, payload: string, consumedAt: number | null,
  grantPayload: string | null, grantConsumedAt: number | null,
  sessionPayload: string | null, sessionConsumedAt: number | null,
];

function parsePayload(json: string, consumedAt: number | null): OidcPayload {
  const payload = JSON.parse(json) as OidcPayload;
  // oidc-provider only needs `consumed` truthy; Keyline reads it as the epoch second (with a fraction)
  // of consumption, for the refresh-token reuse interval.
  if (consumedAt !== null) payload.consumed = consumedAt / 1000;
  return payload;
}

function toPayload(row: RecordRow | undefined): OidcPayload | undefined {
  return row && parsePayload(row.payload, row.consumed_at);
}

function summaries(rows: RecordRow[]): OidcRecordSummary[] {
  return rows.map((row) => ({
    id: row.id,
    payload: toPayload(row)!,
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
  }));
}

/**
 * The token, its grant by primary key and its session by the uid its payload names, as one row
 * (half the cost of a union of three rows). Parameters: ?1 the id, ?2 now, then the models.
 */
export const FIND_TOKEN_SQL = `
      SELECT t.model, t.payload, t.consumed_at, g.payload, g.consumed_at, s.payload, s.consumed_at
      FROM oidc_records t
      LEFT JOIN oidc_records g ON g.model = 'Grant' AND g.id = t.grant_id AND (g.expires_at IS NULL OR g.expires_at > ?2)
      LEFT JOIN oidc_records s ON s.model = 'Session' AND s.uid = json_extract(t.payload, '$.sessionUid')
        AND (s.expires_at IS NULL OR s.expires_at > ?2)
      WHERE t.id = ?1 AND t.model IN (${Array.from({ length: TOKEN_MODELS_AT_MOST }, (_, index) => `?${index + 3}`).join(', ')})
        AND (t.expires_at IS NULL OR t.expires_at > ?2)
      LIMIT 1`;

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
  readonly #listByModel: StatementSync;
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
    this.#findToken.setReturnArrays(true);
    this.#findByUserCode = db.prepare(`${select} WHERE model = ? AND user_code = ? AND ${LIVE}`);
    this.#consume = db.prepare(
      `UPDATE oidc_records SET consumed_at = ? WHERE model = ? AND id = ? AND consumed_at IS NULL AND ${LIVE}`,
    );
    this.#destroy = db.prepare('DELETE FROM oidc_records WHERE model = ? AND id = ?');
    this.#revokeByGrantId = db.prepare('DELETE FROM oidc_records WHERE grant_id = ? AND model = ?');
    this.#listByAccount = db.prepare(
      `${select} WHERE account_id = ? AND model = ? AND ${LIVE} ORDER BY expires_at DESC`,
    );
    this.#listByModel = db.prepare(`${select} WHERE model = ? AND ${LIVE} ORDER BY expires_at DESC`);
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
    const row = this.#findToken.get(id, Date.now(), ...padded) as unknown as TokenRow | undefined;
    if (!row) return undefined;
    const [model, payload, consumedAt, grantPayload, grantConsumedAt, sessionPayload, sessionConsumedAt] = row;
    return {
      model,
      payload: parsePayload(payload, consumedAt),
      grant: grantPayload === null ? undefined : parsePayload(grantPayload, grantConsumedAt),
      session: sessionPayload === null ? undefined : parsePayload(sessionPayload, sessionConsumedAt),
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
    return summaries(this.#listByAccount.all(accountId, model, Date.now()) as unknown as RecordRow[]);
  }

  async listByModel(model: string): Promise<OidcRecordSummary[]> {
    return summaries(this.#listByModel.all(model, Date.now()) as unknown as RecordRow[]);
  }

  /** Through the same queue as every other write, so it also removes what was asked to be written before it. */
  destroyByAccount(accountId: string): Promise<number> {
    return this.#writes.run(() => Number(this.#destroyByAccount.run(accountId).changes));
  }
}
