import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { StoreUnavailableError } from '../store-errors.ts';
import type { Store } from '../store.ts';
import { SqliteAccounts } from './sqlite-accounts.ts';
import { SqliteClients } from './sqlite-clients.ts';
import { SqliteFactors, SqliteRecoveryCodes } from './sqlite-factors.ts';
import { SqliteOidcRecords } from './sqlite-oidc-records.ts';
import { SqliteResources } from './sqlite-resources.ts';
import { SqliteGroups } from './sqlite-groups.ts';
import { SqliteRoles } from './sqlite-roles.ts';
import {
  SqliteConsents, SqliteCounters, SqliteLeases, SqliteSecrets, SqliteSigningKeys,
} from './sqlite-small-repositories.ts';
import { SqliteAuditEvents } from './sqlite-audit.ts';
import { SqliteJobs } from './sqlite-jobs.ts';
import { SqliteStreams } from './sqlite-streams.ts';
import { SqliteUpstreams } from './sqlite-upstreams.ts';
import { SqliteFederatedIdentities } from './sqlite-federated-identities.ts';
import { migrateSqliteSchema } from './schema.ts';
import { SqliteWriteQueue } from './sqlite-write-queue.ts';
import { startWalCheckpointer } from './wal-checkpointer.ts';

export interface SqliteOptions {
  synchronous?: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
  /** How often expired records are swept, in ms; 0 disables the sweep. */
  sweepIntervalMs?: number;
  /** Checkpoint the WAL from a worker thread (the default for files) rather than inside writes. */
  checkpointInWorker?: boolean;
}

/** Opens (creating if needed) the SQLite store at `path`; `:memory:` gives a private in-memory store. */
export function openSqliteStore(path: string, options: SqliteOptions = {}): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('PRAGMA journal_mode = WAL');
    // After a checkpoint, give back WAL space beyond 64 MiB instead of keeping the high-water mark.
    db.exec('PRAGMA journal_size_limit = 67108864');
    db.exec(`PRAGMA synchronous = ${options.synchronous ?? 'NORMAL'}`);
    db.exec('PRAGMA foreign_keys = ON');
    // Reads are most of the work (every token, grant and session lookup): keep the hot pages in this
    // process (64 MiB page cache) and read the file through a memory map instead of a read() per page.
    db.exec('PRAGMA cache_size = -65536');
    db.exec('PRAGMA mmap_size = 268435456');
    migrateSqliteSchema(db);
  } catch (error) {
    throw new StoreUnavailableError(`cannot open SQLite store at ${path}: ${(error as Error).message}`, { cause: error });
  }

  const checkpointer = path !== ':memory:' && options.checkpointInWorker !== false
    ? startWalCheckpointer(db, path)
    : undefined;

  const sweepExpired = db.prepare('DELETE FROM oidc_records WHERE expires_at IS NOT NULL AND expires_at <= ?');
  const sweepCounters = db.prepare('DELETE FROM counters WHERE reset_at <= ?');
  const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  const sweep = sweepIntervalMs > 0
    ? setInterval(() => {
      const now = Date.now();
      sweepExpired.run(now);
      sweepCounters.run(now);
    }, sweepIntervalMs)
    : undefined;
  sweep?.unref();

  const writes = new SqliteWriteQueue(db);
  let open = true;
  return {
    kind: 'sqlite',
    oidc: new SqliteOidcRecords(db, writes),
    accounts: new SqliteAccounts(db),
    clients: new SqliteClients(db),
    resources: new SqliteResources(db),
    groups: new SqliteGroups(db),
    roles: new SqliteRoles(db),
    signingKeys: new SqliteSigningKeys(db),
    secrets: new SqliteSecrets(db),
    consents: new SqliteConsents(db),
    counters: new SqliteCounters(db),
    factors: new SqliteFactors(db),
    recoveryCodes: new SqliteRecoveryCodes(db),
    audit: new SqliteAuditEvents(db, writes),
    leases: new SqliteLeases(db),
    jobs: new SqliteJobs(db),
    streams: new SqliteStreams(db),
    upstreams: new SqliteUpstreams(db),
    federatedIdentities: new SqliteFederatedIdentities(db),
    async ping() {
      if (!open) throw new StoreUnavailableError('SQLite store is closed');
      db.prepare('SELECT 1').get();
    },
    async close() {
      if (!open) return;
      open = false;
      if (sweep) clearInterval(sweep);
      writes.flush();
      await checkpointer?.stop();
      db.exec('PRAGMA wal_checkpoint(PASSIVE)');
      db.close();
    },
  };
}
