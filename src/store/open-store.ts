import type { Config } from '../config/schema.ts';
import type { Store } from './store.ts';
import { openSqliteStore } from './sqlite/open-sqlite-store.ts';
import { isMongoUrl } from './store-location.ts';

export { isMongoUrl };

/** Chooses the backend from `store`: a mongodb:// or mongodb+srv:// URL selects MongoDB, anything else is a SQLite path. */
export async function openStore(config: Pick<Config, 'store' | 'sqlite'>): Promise<Store> {
  if (isMongoUrl(config.store)) {
    const { openMongoStore } = await import('./mongo/open-mongo-store.ts');
    return openMongoStore(config.store);
  }
  return openSqliteStore(config.store, { synchronous: config.sqlite.synchronous });
}
