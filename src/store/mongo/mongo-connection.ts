import { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import { StoreUnavailableError } from '../store-errors.ts';
import { databaseNameOf, describeMongoUrl, queryOptionOf, scrubMongoUrl } from './mongo-url.ts';
import { failWritesOnClosedSockets } from './mongo-writes-on-closed-sockets.ts';

export interface MongoConnectionOptions {
  /** How long an operation waits for a usable server before failing; by default 3 s unless the URL sets it. */
  serverSelectionTimeoutMS?: number;
  /** How long a connection may wait for the server's answer before it is given up (unless the URL sets it); none by default. */
  socketTimeoutMS?: number;
}

export interface MongoConnection {
  client: MongoClient;
  db: Db;
}

/** Fail fast when the database is unreachable: callers answer 503 rather than hang. */
const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 3000;
const DEFAULT_DATABASE = 'keyline';
/**
 * After an outage the driver finds the server again only through its monitor. With the driver's
 * defaults (a streaming monitor, 30 s to connect, 10 s between checks) that can take many seconds;
 * polling every 2 s with a connect timeout as short as server selection's brings Keyline back
 * within seconds, each check one `hello` per node. (A monitor that never came back at all was the
 * driver's write hang, see mongo-writes-on-closed-sockets.ts.) The URL may set them otherwise.
 */
const RECONNECT_OPTIONS = { serverMonitoringMode: 'poll', heartbeatFrequencyMS: 2000, connectTimeoutMS: 3000 } as const;

/**
 * A client for the connection string as given (replica sets, SRV, TLS and auth options all pass
 * through to the driver). It does not connect yet; the driver connects, and reconnects, by itself.
 */
export function createMongoClient(url: string, options: MongoConnectionOptions = {}): MongoClient {
  failWritesOnClosedSockets();
  const urlSetsTimeout = queryOptionOf(url, 'serverSelectionTimeoutMS') !== undefined;
  const serverSelectionTimeoutMS = options.serverSelectionTimeoutMS
    ?? (urlSetsTimeout ? undefined : DEFAULT_SERVER_SELECTION_TIMEOUT_MS);
  const wanted = { ...RECONNECT_OPTIONS, ...(options.socketTimeoutMS === undefined ? {} : { socketTimeoutMS: options.socketTimeoutMS }) };
  const reconnect = Object.fromEntries(Object.entries(wanted).filter(([name]) => queryOptionOf(url, name) === undefined));
  return new MongoClient(url, {
    ...reconnect,
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
