import type { Logger } from '../logger.ts';
import { isMongoUrl } from './open-store.ts';

/**
 * Start-up checks on the store before the server takes traffic. MongoDB: the indexes that
 * `keyline migrate` creates must exist (creating them on each start would race between nodes and
 * stall large collections), and FerretDB is flagged, because FerretDB v1 does not isolate
 * concurrent updates of one document (code consumption and refresh rotation rely on that).
 */
export async function prepareStoreForServing(location: string, logger: Logger): Promise<void> {
  if (!isMongoUrl(location)) return;
  const [{ assertMongoIndexes }, { withMongoDatabase }, { serverFlavor }] = await Promise.all([
    import('./mongo/mongo-indexes.ts'),
    import('./mongo/mongo-connection.ts'),
    import('./mongo/mongo-server-flavor.ts'),
  ]);
  await withMongoDatabase(location, async (db) => {
    await assertMongoIndexes(db);
    const flavor = await serverFlavor(db);
    if (flavor.name === 'FerretDB') {
      logger.warn({ version: flavor.version }, 'the store is FerretDB: fine for tests, not for production (no atomic conditional updates, no TTL indexes)');
    }
  });
}
