import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { HeldSet, StreamPatch, StreamRecord, StreamStatus, Streams } from '../store.ts';
import { withDuplicateCheck } from './sqlite-errors.ts';

interface StreamRow {
  id: string;
  client_id: string;
  audience: string;
  delivery_method: string;
  endpoint_url: string | null;
  authorization_header: string | null;
  events_requested: string;
  description: string | null;
  status: StreamStatus;
  status_reason: string | null;
  created_at: number;
  updated_at: number;
}

function toStream(row: StreamRow): StreamRecord {
  return {
    id: row.id,
    clientId: row.client_id,
    audience: row.audience,
    deliveryMethod: row.delivery_method,
    endpointUrl: row.endpoint_url,
    authorizationHeader: row.authorization_header,
    eventsRequested: JSON.parse(row.events_requested) as string[],
    description: row.description,
    status: row.status,
    statusReason: row.status_reason,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export class SqliteStreams implements Streams {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #find: StatementSync;
  readonly #listByClient: StatementSync;
  readonly #list: StatementSync;
  readonly #update: StatementSync;
  readonly #replaceHeader: StatementSync;
  readonly #remove: StatementSync;
  readonly #removeSubjects: StatementSync;
  readonly #removeHeld: StatementSync;
  readonly #setSubject: StatementSync;
  readonly #subjectStates: StatementSync;
  readonly #hold: StatementSync;
  readonly #held: StatementSync;
  readonly #release: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO ssf_streams (id, client_id, audience, delivery_method, endpoint_url, authorization_header,
      events_requested, description, status, status_reason, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#find = db.prepare('SELECT * FROM ssf_streams WHERE id = ?');
    this.#listByClient = db.prepare('SELECT * FROM ssf_streams WHERE client_id = ? ORDER BY created_at, id');
    this.#list = db.prepare('SELECT * FROM ssf_streams ORDER BY created_at, id');
    this.#update = db.prepare(`UPDATE ssf_streams SET delivery_method = ?, endpoint_url = ?, authorization_header = ?, events_requested = ?,
      description = ?, status = ?, status_reason = ?, updated_at = ? WHERE id = ? RETURNING *`);
    this.#replaceHeader = db.prepare('UPDATE ssf_streams SET authorization_header = ? WHERE id = ? AND authorization_header = ?');
    this.#remove = db.prepare('DELETE FROM ssf_streams WHERE id = ?');
    this.#removeSubjects = db.prepare('DELETE FROM ssf_stream_subjects WHERE stream_id = ?');
    this.#removeHeld = db.prepare('DELETE FROM ssf_held_sets WHERE stream_id = ?');
    this.#setSubject = db.prepare(`INSERT INTO ssf_stream_subjects (stream_id, subject_key, included) VALUES (?, ?, ?)
      ON CONFLICT (stream_id, subject_key) DO UPDATE SET included = excluded.included`);
    this.#subjectStates = db.prepare(`SELECT subject_key, included FROM ssf_stream_subjects
      WHERE stream_id = ? AND subject_key IN (SELECT value FROM json_each(?))`);
    this.#hold = db.prepare(`INSERT INTO ssf_held_sets (stream_id, jti, claims, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (stream_id, jti) DO NOTHING`);
    this.#held = db.prepare('SELECT jti, claims, created_at FROM ssf_held_sets WHERE stream_id = ? ORDER BY created_at, jti LIMIT ?');
    this.#release = db.prepare('DELETE FROM ssf_held_sets WHERE stream_id = ? AND jti IN (SELECT value FROM json_each(?))');
  }

  async create(stream: StreamRecord): Promise<void> {
    withDuplicateCheck('stream', 'id', stream.id, () => this.#insert.run(
      stream.id, stream.clientId, stream.audience, stream.deliveryMethod, stream.endpointUrl, stream.authorizationHeader,
      JSON.stringify(stream.eventsRequested), stream.description, stream.status, stream.statusReason,
      stream.createdAt.getTime(), stream.updatedAt.getTime(),
    ));
  }

  async find(id: string): Promise<StreamRecord | undefined> {
    const row = this.#find.get(id) as StreamRow | undefined;
    return row && toStream(row);
  }

  async listByClient(clientId: string): Promise<StreamRecord[]> {
    return (this.#listByClient.all(clientId) as unknown as StreamRow[]).map(toStream);
  }

  async list(): Promise<StreamRecord[]> {
    return (this.#list.all() as unknown as StreamRow[]).map(toStream);
  }

  async update(id: string, patch: StreamPatch): Promise<StreamRecord | undefined> {
    const current = await this.find(id);
    if (!current) return undefined;
    const next = { ...current, ...patch };
    const row = this.#update.get(
      next.deliveryMethod, next.endpointUrl, next.authorizationHeader, JSON.stringify(next.eventsRequested), next.description,
      next.status, next.statusReason, Date.now(), id,
    ) as StreamRow | undefined;
    return row && toStream(row);
  }

  async replaceAuthorizationHeader(id: string, expected: string, next: string): Promise<boolean> {
    return this.#replaceHeader.run(next, id, expected).changes === 1;
  }

  async remove(id: string): Promise<boolean> {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const removed = this.#remove.run(id).changes === 1;
      this.#removeSubjects.run(id);
      this.#removeHeld.run(id);
      this.#db.exec('COMMIT');
      return removed;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  async setSubject(streamId: string, subjectKey: string, included: boolean): Promise<void> {
    this.#setSubject.run(streamId, subjectKey, included ? 1 : 0);
  }

  async subjectStates(streamId: string, subjectKeys: readonly string[]): Promise<Map<string, boolean>> {
    const rows = this.#subjectStates.all(streamId, JSON.stringify(subjectKeys)) as Array<{ subject_key: string; included: number }>;
    return new Map(rows.map((row) => [row.subject_key, row.included === 1]));
  }

  async hold(streamId: string, set: HeldSet): Promise<void> {
    this.#hold.run(streamId, set.jti, JSON.stringify(set.claims), set.createdAt.getTime());
  }

  async held(streamId: string, limit: number): Promise<HeldSet[]> {
    const rows = this.#held.all(streamId, limit) as Array<{ jti: string; claims: string; created_at: number }>;
    return rows.map((row) => ({ jti: row.jti, claims: JSON.parse(row.claims) as Record<string, unknown>, createdAt: new Date(row.created_at) }));
  }

  async release(streamId: string, jtis: readonly string[]): Promise<number> {
    return Number(this.#release.run(streamId, JSON.stringify(jtis)).changes);
  }
}
