import { join } from 'node:path';
import { withMongoDatabase } from '../../src/store/mongo/mongo-connection.ts';
import { migrateMongo } from '../../src/store/mongo/mongo-indexes.ts';
import { serverFlavor } from '../../src/store/mongo/mongo-server-flavor.ts';
import { dropDatabase, mongoTestUrl, uniqueDatabaseUrl } from './mongo-server.ts';
import { temporaryDirectory } from './start-keyline.ts';

export interface StoreLocation {
  /** A SQLite path or a mongodb:// URL, as KEYLINE_STORE takes it. */
  location: string;
  /** Removes the data. */
  cleanup(): Promise<void>;
}

export interface Backend {
  name: string;
  /** A fresh, empty, ready-to-use store location. */
  create(): Promise<StoreLocation>;
  /** Serve from this many Keyline processes on the store behind a round-robin proxy, instead of one in-process server. */
  nodes?: number;
}

export const sqliteBackend: Backend = {
  name: 'sqlite',
  async create() {
    const directory = temporaryDirectory();
    return { location: join(directory.path, 'keyline.sqlite'), cleanup: async () => directory.remove() };
  },
};

function withQueryOption(url: string, name: string, value: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`;
}

/**
 * A MongoDB-wire backend: a database of its own on the test server, prepared by `migrateMongo`
 * as `keyline migrate` would. FerretDB v1 applies an update by reading the document and writing
 * it back with no isolation in between, so conditional updates racing over several connections
 * can all "succeed"; MongoDB applies each single-document update atomically. On FerretDB the
 * store therefore uses one connection: calls still interleave, but the server sees them in turn.
 */
export async function mongoBackend(): Promise<Backend> {
  const baseUrl = await mongoTestUrl();
  const flavor = await withMongoDatabase(baseUrl, serverFlavor);
  const onFerretDb = flavor.name === 'FerretDB';
  return {
    name: onFerretDb
      ? `mongo on FerretDB ${flavor.version} (one connection: FerretDB v1 does not isolate concurrent updates)`
      : `mongo on MongoDB ${flavor.version}`,
    async create() {
      const databaseUrl = uniqueDatabaseUrl(baseUrl);
      await migrateMongo(databaseUrl);
      return {
        location: onFerretDb ? withQueryOption(databaseUrl, 'maxPoolSize', '1') : databaseUrl,
        cleanup: () => dropDatabase(databaseUrl),
      };
    },
  };
}

/** Every backend the storage contract must pass on. */
export async function allBackends(): Promise<Backend[]> {
  return [sqliteBackend, await mongoBackend()];
}

export function threeNodes(backend: Backend): Backend {
  return { ...backend, name: `${backend.name}, three Keyline processes behind a round-robin proxy`, nodes: 3 };
}

/**
 * Where the integration flows run: each backend with one in-process Keyline, and the MongoDB-wire
 * backend through three Keyline processes on one store, so that "nodes are stateless" is shown.
 */
export async function integrationBackends(): Promise<Backend[]> {
  const mongo = await mongoBackend();
  return [sqliteBackend, mongo, threeNodes(mongo)];
}
