// Runs in a worker thread: checkpoints the WAL of the database at workerData.path every
// workerData.intervalMs, on a connection of its own, so the fsync never stalls the server's event loop.
import { DatabaseSync } from 'node:sqlite';
import { workerData } from 'node:worker_threads';

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new DatabaseSync(path);
db.exec('PRAGMA busy_timeout = 1000');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

setInterval(() => {
  try {
    checkpoint.get();
  } catch {
    // A busy database is checkpointed next time; a PASSIVE checkpoint never blocks writers.
  }
}, intervalMs);
