import type { DatabaseSync } from 'node:sqlite';

interface Waiting {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function attempt(work: () => unknown): Outcome {
  try {
    return { ok: true, value: work() };
  } catch (error) {
    return { ok: false, error };
  }
}

function settle({ resolve, reject }: Waiting, outcome: Outcome): void {
  if (outcome.ok) resolve(outcome.value);
  else reject(outcome.error);
}

/**
 * Group commit for the hot SQLite writes (token, grant and session records, audit appends): the
 * writes asked for within one turn of the event loop run one after another in one transaction at
 * the end of that turn, and each caller gets its own result (a duplicate key fails that write
 * alone). Most of a write's cost is the 4 KiB WAL frame of every page it dirties; pages that
 * several writes of a turn share (an index's last page, a hot table page) are then written once.
 * The transaction is open only while the batch runs, synchronously, so no other process waits on
 * it for longer than those writes take. A write runs at most one turn after it was asked for, and
 * its caller hears of it only once it is committed.
 */
export class SqliteWriteQueue {
  readonly #db: DatabaseSync;
  #waiting: Waiting[] = [];

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Runs `work` (synchronous statements on this connection) in the turn's batch. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.#waiting.length === 1) setImmediate(() => this.flush());
    });
  }

  /** Writes what is waiting now (also before the connection closes). */
  flush(): void {
    const batch = this.#waiting;
    this.#waiting = [];
    if (batch.length === 0) return;
    if (batch.length === 1) {
      settle(batch[0]!, attempt(batch[0]!.work));
      return;
    }
    const outcomes = this.#inOneTransaction(batch);
    if (outcomes) {
      batch.forEach((waiting, index) => settle(waiting, outcomes[index]!));
      return;
    }
    // The transaction could not be used (a busy lock past the timeout, an I/O error that rolled
    // it back, a failed commit): nothing of it was kept, so each write runs on its own and its
    // caller learns its own outcome. No write runs twice: the batch stops where the transaction ended.
    for (const waiting of batch) settle(waiting, attempt(waiting.work));
  }

  #inOneTransaction(batch: readonly Waiting[]): Outcome[] | undefined {
    try {
      this.#db.exec('BEGIN IMMEDIATE');
    } catch {
      return undefined;
    }
    const outcomes: Outcome[] = [];
    for (const { work } of batch) {
      const outcome = attempt(work);
      if (!outcome.ok && !this.#db.isTransaction) return undefined;
      outcomes.push(outcome);
    }
    try {
      this.#db.exec('COMMIT');
      return outcomes;
    } catch {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      return undefined;
    }
  }
}
