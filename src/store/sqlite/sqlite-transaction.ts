import type { DatabaseSync } from 'node:sqlite';

/**
 * Runs synchronous statements in one `BEGIN IMMEDIATE … COMMIT`: the write lock is taken first, so
 * another process's writes wait (busy_timeout) instead of interleaving, and nothing of a failed
 * run is kept. It must not be called from inside a write-queue batch (that is a transaction already).
 */
export function inImmediateTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
