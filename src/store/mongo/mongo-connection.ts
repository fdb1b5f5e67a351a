import { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import { StoreUnavailableError } from '../store-errors.ts';
import { databaseNameOf, describeMongoUrl, queryOptionOf, scrubMongoUrl } from './mongo-url.ts';

export interface MongoConnectionOptions {
  /** How long an operation waits for a usable server before failing; by default 3 s unless the URL sets it. */
  serverSelectionTimeoutMS?: number;
}

export interface MongoConnection {
  client: MongoClient;
  db: Db;
}

/** Fail fast when the database is unreachable: callers answer 503 rather than hang. */
const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 3000;
const DEFAULT_DATABASE = 'keyline';

/**
 * A client for the connection string as given (replica sets, SRV, TLS and auth options all pass
 * through to the driver). It does not connect yet; the driver connects, and reconnects, by itself.
 */
export function createMongoClient(url: string, options: MongoConnectionOptions = {}): MongoClient {
  const urlSetsTimeout = queryOptionOf(url, 'serverSelectionTimeoutMS') !== undefined;
  const serverSelectionTimeoutMS = options.serverSelectionTimeoutMS
    ?? (urlSetsTimeout ? undefined : DEFAULT_SERVER_SELECTION_TIMEOUT_MS);
  return new MongoClient(url, {
    appName: 'keyline',
    // Like JSON (and the SQLite backend): a property set to undefined is not stored, rather than stored as null.
    ignoreUndefined: true,
    ...(serverSelectionTimeoutMS === undefined ? {} : { serverSelectionTimeoutMS }),
  });
}

/** The database named in the URL, or `keyline` when the URL names none. */
export function keylineDatabase(client: MongoClient, url: string): Db {
  return client.db(databaseNameOf(url) ?? DEFAULT_DATABASE);
}

/** Connects now, so a wrong URL or an unreachable server fails here, as StoreUnavailableError. */
export async function connectMongo(url: string, options: MongoConnectionOptions = {}): Promise<MongoConnection> {
  let client: MongoClient | undefined;
  try {
    client = createMongoClient(url, options);
    await client.connect();
    return { client, db: keylineDatabase(client, url) };
  } catch (error) {
    await client?.close().catch(() => undefined);
    const reason = scrubMongoUrl(error instanceof Error ? error.message : String(error), url);
    throw new StoreUnavailableError(`cannot connect to MongoDB at ${describeMongoUrl(url)}: ${reason}`, { cause: error });
  }
}

/** Runs `work` on a connection of its own, closed afterwards. */
export async function withMongoDatabase<T>(url: string, work: (db: Db) => Promise<T>): Promise<T> {
  const { client, db } = await connectMongo(url);
  try {
    return await work(db);
  } finally {
    await client.close();
  }
}
