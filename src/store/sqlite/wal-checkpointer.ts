import type { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';

export interface WalCheckpointer {
  stop(): Promise<void>;
}

/**
 * SQLite's automatic checkpoint runs inside whichever write crosses the WAL threshold, fsync and
 * all, on the event loop: about 2.5% of writes then took over 1 ms and most of the write time
 * (measured with bench/). Here a worker thread checkpoints every `intervalMs` instead. The serving
 * connection keeps an automatic checkpoint only as a safety net, at 10x the usual threshold, for
 * when writes outrun the worker; should the worker fail, the usual threshold comes back.
 */
export function startWalCheckpointer(db: DatabaseSync, path: string, intervalMs = 200): WalCheckpointer {
  const worker = new Worker(new URL('./wal-checkpoint-worker.ts', import.meta.url), { workerData: { path, intervalMs } });
  worker.unref();
  db.exec('PRAGMA wal_autocheckpoint = 10000');
  let stopped = false;
  worker.once('error', () => {
    if (!stopped) db.exec('PRAGMA wal_autocheckpoint = 1000');
  });
  return {
    async stop() {
      stopped = true;
      await worker.terminate();
    },
  };
}
