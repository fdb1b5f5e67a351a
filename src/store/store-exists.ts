import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { describeStoreLocation, isMongoUrl } from './store-location.ts';

/** The configured store is not there: most often a typo in KEYLINE_STORE (or store: in the configuration). */
export class StoreMissingError extends Error {
  constructor(location: string, why: string) {
    super(`no Keyline store at ${describeStoreLocation(location)}: ${why}; check KEYLINE_STORE (or store: in the configuration), `
      + 'or run `keyline migrate` to create a new store there');
    this.name = 'StoreMissingError';
  }
}

/**
 * Refuses a store that does not exist yet, so that only `keyline migrate` and the server create
 * one, and the CLI writes only where the server would read. SQLite: the file exists and holds
 * Keyline's schema. MongoDB: the database holds Keyline's collections with every one of their
 * indexes, as the server requires. Keyline's collection names are common ones (`accounts`,
 * `clients`), and any file can be opened as SQLite: without these checks another application's
 * database, or an empty file, became a "store" that the first verb wrote into.
 */
export async function assertStoreExists(location: string): Promise<void> {
  if (isMongoUrl(location)) {
    const { checkMongoIndexes, hasKeylineCollections } = await import('./mongo/mongo-indexes.ts');
    if (!await hasKeylineCollections(location)) throw new StoreMissingError(location, 'the database has none of Keyline\'s collections');
    const missing = await checkMongoIndexes(location);
    if (missing.length > 0) {
      throw new StoreMissingError(location, `the database lacks ${missing.length} of Keyline's indexes (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}), so the server would not serve it`);
    }
    return;
  }
  if (location === ':memory:') return;
  if (!existsSync(location)) throw new StoreMissingError(location, 'the file does not exist');
  const why = whyNotAKeylineSqliteFile(location);
  if (why) throw new StoreMissingError(location, `the file is not a Keyline store (${why})`);
}

/** Read-only, so that looking changes nothing; Keyline's first migration made `oidc_records` and set user_version. */
function whyNotAKeylineSqliteFile(path: string): string | undefined {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    const { user_version: version } = db.prepare('PRAGMA user_version').get() as { user_version: number };
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'oidc_records'").get();
    return version > 0 && table ? undefined : 'none of its tables';
  } catch (error) {
    return (error as Error).message;
  } finally {
    db?.close();
  }
}
