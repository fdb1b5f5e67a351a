import { existsSync } from 'node:fs';
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
 * one. SQLite: the file exists. MongoDB: the database holds Keyline's collections, which only
 * `keyline migrate` creates (the server refuses a database without its indexes); an empty or
 * unknown database is not a store, whatever the server lets the driver create on first write.
 */
export async function assertStoreExists(location: string): Promise<void> {
  if (isMongoUrl(location)) {
    const { hasKeylineCollections } = await import('./mongo/mongo-indexes.ts');
    if (!await hasKeylineCollections(location)) throw new StoreMissingError(location, 'the database has none of Keyline\'s collections');
    return;
  }
  if (location !== ':memory:' && !existsSync(location)) throw new StoreMissingError(location, 'the file does not exist');
}
