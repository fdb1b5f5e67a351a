import { randomUUID } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { ClaimedJob, JobQuery, JobRecord, JobState, Jobs, NewJob } from '../store.ts';

interface JobRow {
  id: string;
  kind: string;
  payload: string;
  state: JobState;
  dedupe_key: string | null;
  attempts: number;
  max_attempts: number;
  run_after: number;
  lease_holder: string | null;
  lease_token: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

function toJob(row: JobRow): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    state: row.state,
    dedupeKey: row.dedupe_key,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAfter: new Date(row.run_after),
    leaseHolder: row.lease_holder,
    lastError: row.last_error,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export class SqliteJobs implements Jobs {
  readonly #insert: StatementSync;
  readonly #claim: StatementSync;
  readonly #complete: StatementSync;
  readonly #fail: StatementSync;
  readonly #find: StatementSync;
  readonly #listAll: StatementSync;
  readonly #listFailed: StatementSync;
  readonly #retry: StatementSync;
  readonly #purge: StatementSync;

  constructor(db: DatabaseSync) {
    this.#insert = db.prepare(`INSERT INTO jobs (id, kind, payload, state, dedupe_key, attempts, max_attempts, run_after, created_at, updated_at)
      VALUES (?, ?, ?, 'pending', ?, 0, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);
    // One statement under SQLite's write lock: the row is chosen and leased at once, so of many
    // processes claiming together each job goes to one.
    this.#claim = db.prepare(`UPDATE jobs SET run_after = ?, lease_holder = ?, lease_token = ?, attempts = attempts + 1, updated_at = ?
      WHERE id = (
        SELECT id FROM jobs WHERE state = 'pending' AND run_after <= ? AND kind IN (SELECT value FROM json_each(?))
        ORDER BY run_after, id LIMIT 1
      )
      RETURNING *`);
    this.#complete = db.prepare(`UPDATE jobs SET state = 'done', lease_token = NULL, updated_at = ?
      WHERE id = ? AND lease_token = ? AND state = 'pending'`);
    this.#fail = db.prepare(`UPDATE jobs SET state = ?, run_after = ?, last_error = ?, lease_token = NULL, updated_at = ?
      WHERE id = ? AND lease_token = ? AND state = 'pending'`);
    this.#find = db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.#listAll = db.prepare('SELECT * FROM jobs ORDER BY created_at DESC, id DESC LIMIT ?');
    this.#listFailed = db.prepare(`SELECT * FROM jobs WHERE state = 'dead' OR (state = 'pending' AND last_error IS NOT NULL)
      ORDER BY created_at DESC, id DESC LIMIT ?`);
    this.#retry = db.prepare(`UPDATE jobs SET state = 'pending', attempts = 0, run_after = ?, lease_token = NULL, updated_at = ?
      WHERE id = ? AND (state = 'dead' OR (state = 'pending' AND (lease_token IS NULL OR run_after <= ?)))`);
    this.#purge = db.prepare('DELETE FROM jobs WHERE state = ? AND updated_at < ?');
  }

  async enqueue(job: NewJob): Promise<boolean> {
    const created = job.createdAt.getTime();
    return this.#insert.run(
      job.id, job.kind, JSON.stringify(job.payload), job.dedupeKey, job.maxAttempts, job.runAfter.getTime(), created, created,
    ).changes === 1;
  }

  async claim(kinds: readonly string[], holder: string, leaseSeconds: number, now = new Date()): Promise<ClaimedJob | undefined> {
    const at = now.getTime();
    const leaseToken = randomUUID();
    const row = this.#claim.get(at + leaseSeconds * 1000, holder, leaseToken, at, at, JSON.stringify(kinds)) as JobRow | undefined;
    return row ? { ...toJob(row), leaseToken } : undefined;
  }

  async complete(id: string, leaseToken: string, now = new Date()): Promise<boolean> {
    return this.#complete.run(now.getTime(), id, leaseToken).changes === 1;
  }

  async fail(id: string, leaseToken: string, error: string, retryAt: Date | null, now = new Date()): Promise<boolean> {
    const at = now.getTime();
    return this.#fail.run(retryAt ? 'pending' : 'dead', retryAt?.getTime() ?? at, error, at, id, leaseToken).changes === 1;
  }

  async find(id: string): Promise<JobRecord | undefined> {
    const row = this.#find.get(id) as JobRow | undefined;
    return row && toJob(row);
  }

  async list(query: JobQuery): Promise<JobRecord[]> {
    const rows = (query.failedOnly ? this.#listFailed : this.#listAll).all(query.limit) as unknown as JobRow[];
    return rows.map(toJob);
  }

  async retry(id: string, now = new Date()): Promise<boolean> {
    const at = now.getTime();
    return this.#retry.run(at, at, id, at).changes === 1;
  }

  async purge(state: 'done' | 'dead', before: Date): Promise<number> {
    return Number(this.#purge.run(state, before.getTime()).changes);
  }
}
