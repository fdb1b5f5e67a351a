import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { AuditCheckpoint, AuditEventRecord, AuditEvents, AuditQuery, AuditSeal } from '../store.ts';
import type { SqliteWriteQueue } from './sqlite-write-queue.ts';

interface AuditRow {
  id: string;
  occurred_at: number;
  type: string;
  actor: string;
  account_id: string | null;
  email: string | null;
  client_id: string | null;
  request_id: string | null;
  ip: string | null;
  data: string;
  seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

function toEvent(row: AuditRow): AuditEventRecord {
  return {
    id: row.id,
    occurredAt: new Date(row.occurred_at),
    type: row.type,
    actor: row.actor,
    accountId: row.account_id,
    email: row.email,
    clientId: row.client_id,
    requestId: row.request_id,
    ip: row.ip,
    data: JSON.parse(row.data) as Record<string, unknown>,
    seq: row.seq,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export class SqliteAuditEvents implements AuditEvents {
  readonly #db: DatabaseSync;
  readonly #append: StatementSync;
  readonly #unsealed: StatementSync;
  readonly #head: StatementSync;
  readonly #seal: StatementSync;
  readonly #sealedFrom: StatementSync;
  readonly #firstSealedAtOrAfter: StatementSync;
  readonly #prune: StatementSync;
  readonly #addCheckpoint: StatementSync;
  readonly #checkpoints: StatementSync;
  readonly #writes: SqliteWriteQueue;

  constructor(db: DatabaseSync, writes: SqliteWriteQueue) {
    this.#db = db;
    this.#writes = writes;
    this.#append = db.prepare(`INSERT INTO audit_events
      (id, occurred_at, type, actor, account_id, email, client_id, request_id, ip, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#unsealed = db.prepare('SELECT * FROM audit_events WHERE seq IS NULL ORDER BY occurred_at, id LIMIT ?');
    this.#head = db.prepare('SELECT * FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1');
    this.#seal = db.prepare('UPDATE audit_events SET seq = ?, prev_hash = ?, hash = ? WHERE id = ? AND seq IS NULL');
    this.#sealedFrom = db.prepare('SELECT * FROM audit_events WHERE seq >= ? ORDER BY seq LIMIT ?');
    this.#firstSealedAtOrAfter = db.prepare(
      'SELECT * FROM audit_events WHERE seq IS NOT NULL AND occurred_at >= ? ORDER BY seq LIMIT 1',
    );
    this.#prune = db.prepare('DELETE FROM audit_events WHERE seq IS NOT NULL AND seq <= ?');
    this.#addCheckpoint = db.prepare(`INSERT INTO audit_checkpoints (kind, seq, hash, signed_at, jws) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (kind, seq) DO NOTHING`);
    this.#checkpoints = db.prepare('SELECT * FROM audit_checkpoints ORDER BY kind, seq');
  }

  /** Appends are plain inserts in the connection's group commit (sqlite-write-queue.ts); the sealer links them later. */
  async append(event: AuditEventRecord): Promise<void> {
    await this.#writes.run(() => this.#insert(event));
  }

  #insert(event: AuditEventRecord): void {
    this.#append.run(
      event.id, event.occurredAt.getTime(), event.type, event.actor, event.accountId, event.email, event.clientId,
      event.requestId, event.ip, JSON.stringify(event.data),
    );
  }

  async unsealed(limit: number): Promise<AuditEventRecord[]> {
    return (this.#unsealed.all(limit) as unknown as AuditRow[]).map(toEvent);
  }

  async head(): Promise<AuditEventRecord | undefined> {
    const row = this.#head.get() as AuditRow | undefined;
    return row ? toEvent(row) : undefined;
  }

  async seal(seals: AuditSeal[]): Promise<number> {
    // One transaction: the batch links completely or not at all (a unique seq refuses a second sealer).
    let linked = 0;
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const seal of seals) {
        if (this.#seal.run(seal.seq, seal.prevHash, seal.hash, seal.id).changes !== 1) break;
        linked += 1;
      }
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      if ((error as { errcode?: number }).errcode === 2067) return 0;
      throw error;
    }
    return linked;
  }

  async sealedFrom(fromSeq: number, limit: number): Promise<AuditEventRecord[]> {
    return (this.#sealedFrom.all(fromSeq, limit) as unknown as AuditRow[]).map(toEvent);
  }

  async firstSealedAtOrAfter(date: Date): Promise<AuditEventRecord | undefined> {
    const row = this.#firstSealedAtOrAfter.get(date.getTime()) as AuditRow | undefined;
    return row ? toEvent(row) : undefined;
  }

  async query(query: AuditQuery): Promise<AuditEventRecord[]> {
    const conditions: string[] = [];
    const values: Array<string | number> = [];
    if (query.accountId !== undefined || query.email !== undefined) {
      const who: string[] = [];
      if (query.accountId !== undefined) { who.push('account_id = ?'); values.push(query.accountId); }
      if (query.email !== undefined) { who.push('email = ?'); values.push(query.email); }
      conditions.push(`(${who.join(' OR ')})`);
    }
    if (query.type !== undefined) { conditions.push('type = ?'); values.push(query.type); }
    if (query.since !== undefined) { conditions.push('occurred_at >= ?'); values.push(query.since.getTime()); }
    if (query.before !== undefined) {
      const at = query.before.occurredAt.getTime();
      conditions.push('(occurred_at < ? OR (occurred_at = ? AND id < ?))');
      values.push(at, at, query.before.id);
    }
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = this.#db.prepare(`SELECT * FROM audit_events ${where} ORDER BY occurred_at DESC, id DESC LIMIT ?`)
      .all(...values, query.limit) as unknown as AuditRow[];
    return rows.map(toEvent);
  }

  async pruneThrough(throughSeq: number): Promise<number> {
    return Number(this.#prune.run(throughSeq).changes);
  }

  async addCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    this.#addCheckpoint.run(checkpoint.kind, checkpoint.seq, checkpoint.hash, checkpoint.signedAt.getTime(), checkpoint.jws);
  }

  async checkpoints(): Promise<AuditCheckpoint[]> {
    const rows = this.#checkpoints.all() as Array<{ kind: 'head' | 'pruned'; seq: number; hash: string; signed_at: number; jws: string }>;
    return rows.map((row) => ({ kind: row.kind, seq: row.seq, hash: row.hash, signedAt: new Date(row.signed_at), jws: row.jws }));
  }
}
