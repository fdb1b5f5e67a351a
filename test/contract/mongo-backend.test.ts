/**
 * What only the MongoDB backend has: indexes made by `keyline migrate`, the documents' shape,
 * and how it behaves when the database is unreachable or comes back.
 */
import { MongoClient } from 'mongodb';
import {
  assertMongoIndexes, checkMongoIndexes, migrateMongo, MongoIndexesMissingError,
} from '../../src/store/mongo/mongo-indexes.ts';
import { openMongoStore } from '../../src/store/mongo/open-mongo-store.ts';
import { withMongoDatabase } from '../../src/store/mongo/mongo-connection.ts';
import { serverFlavor } from '../../src/store/mongo/mongo-server-flavor.ts';
import { DuplicateError, StoreUnavailableError } from '../../src/store/store-errors.ts';
import type { Store } from '../../src/store/store.ts';
import {
  dropDatabase, mongoTestUrl, startFerretDb, stopMongoTestServer, uniqueDatabaseUrl,
} from '../support/mongo-server.ts';
import { sleep } from './contract-backends.ts';

const baseUrl = await mongoTestUrl();
const flavor = await withMongoDatabase(baseUrl, serverFlavor);
const onFerretDb = flavor.name === 'FerretDB';
afterAll(stopMongoTestServer);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe(`mongo backend on ${flavor.name} ${flavor.version}`, () => {
  let url: string;
  beforeEach(() => {
    url = uniqueDatabaseUrl(baseUrl);
  });
  afterEach(async () => {
    await dropDatabase(url);
  });

  describe('indexes', () => {
    test('a database migrate has not prepared lacks the unique and lookup indexes, and the startup check says to migrate', async () => {
      const missing = await checkMongoIndexes(url);

      expect(missing).toEqual(expect.arrayContaining([
        'accounts.email_unique', 'oidc_Session.uid_unique', 'oidc_DeviceCode.userCode_unique',
        'oidc_AccessToken.grantId', 'oidc_RefreshToken.accountId_expiresAt', 'consents.accountId_clientId_unique',
        'groups.name_unique', 'groups.parentId', 'group_members.groupId_accountId_unique', 'group_members.accountId',
        'roles.name_unique', 'role_grants.roleId_holderKind_holderId_unique', 'role_grants.holderKind_holderId',
      ]));
      const error = await rejection(assertMongoIndexes(url));
      expect(error).toBeInstanceOf(MongoIndexesMissingError);
      expect((error as Error).message).toMatch(/^MongoDB indexes are missing \(.+\): run `npx keyline migrate`$/);
    });

    test('after migrate no index is missing, and migrating again creates nothing', async () => {
      const first = await migrateMongo(url);
      expect(first.lines).toContain('created index email_unique on accounts');
      expect(first.lines).toContain('created index uid_unique on oidc_Session');

      expect(await checkMongoIndexes(url)).toEqual([]);
      await expect(assertMongoIndexes(url)).resolves.toBeUndefined();
      const second = await migrateMongo(url);
      expect(second.lines.filter((line) => line.startsWith('created'))).toEqual([]);
      expect(second.lines).toContain('index email_unique on accounts already exists');
    });

    const ttlTitle = onFerretDb
      ? 'migrate skips TTL indexes on FerretDB, which has none, and says reads still hide expired records'
      : 'migrate creates a TTL index on expiresAt for every expiring collection';
    test(ttlTitle, async () => {
      const { lines } = await migrateMongo(url);
      const expiring = ['oidc_Session', 'oidc_AccessToken', 'oidc_Grant', 'counters'];
      for (const collection of expiring) {
        expect(lines).toContain(onFerretDb
          ? `skipped TTL index on ${collection}: server does not support TTL indexes (FerretDB); `
            + 'expired records are still invisible to reads'
          : `created index expiresAt_ttl on ${collection}`);
      }
    });
  });

  describe('documents', () => {
    let store: Store;
    beforeEach(async () => {
      await migrateMongo(url);
      store = await openMongoStore(url);
    });
    afterEach(async () => {
      await store.close();
    });

    test('a record is stored under its string id, with expiresAt as a date and its lookup fields beside the payload', async () => {
      const before = Date.now();
      await store.oidc.upsert('Session', 'session-1', { uid: 'uid-1', accountId: 'a', grantId: 'g' }, 60);

      const client = new MongoClient(url);
      try {
        const document = await client.db().collection('oidc_Session').findOne({ uid: 'uid-1' });
        expect(document?.['_id']).toBe('session-1');
        expect(document?.['expiresAt']).toBeInstanceOf(Date);
        expect((document?.['expiresAt'] as Date).getTime()).toBeGreaterThanOrEqual(before + 60_000);
        expect(document).toMatchObject({ uid: 'uid-1', accountId: 'a', grantId: 'g' });
      } finally {
        await client.close();
      }
    });

    test('a second session with a uid in use throws DuplicateError naming the uid', async () => {
      await store.oidc.upsert('Session', 'session-1', { uid: 'taken' }, 60);
      await expect(store.oidc.upsert('Session', 'session-2', { uid: 'taken' }, 60))
        .rejects.toMatchObject({ name: 'DuplicateError', entity: 'Session', field: 'uid' });
      await expect(store.oidc.upsert('Session', 'session-3', { uid: 'taken' }, 60)).rejects.toBeInstanceOf(DuplicateError);
    });

    test('a model oidc-provider does not have is refused, since destroyByAccount could never find its records', async () => {
      await expect(store.oidc.upsert('Unheard', 'x', { grantId: 'g' }, 60)).rejects.toThrow('unknown oidc-provider model "Unheard"');
    });

    test('an account and a resource stored before attributes and RBAC existed read without them', async () => {
      const client = new MongoClient(url);
      try {
        const at = new Date('2026-01-01T00:00:00Z');
        await client.db().collection('accounts').insertOne({
          _id: 'old' as never, email: 'old@example.com', name: null, profile: '{}', passwordHash: 'h', disabled: false, createdAt: at, updatedAt: at,
        });
        await client.db().collection('resources').insertOne({
          _id: 'https://old.example.com' as never, name: null, scopes: [], signingAlg: 'RS256', accessTokenTtl: null, createdAt: at, updatedAt: at,
        });
      } finally {
        await client.close();
      }
      expect(await store.accounts.findById('old')).not.toHaveProperty('attributes');
      expect(await store.resources.find('https://old.example.com')).not.toHaveProperty('rbac');
      expect((await store.accounts.update('old', { attributes: { department: 'Ops' } })).attributes).toEqual({ department: 'Ops' });
      expect((await store.resources.update('https://old.example.com', { rbac: true })).rbac).toBe(true);
    });

    test('a closed store refuses calls with StoreUnavailableError', async () => {
      await store.close();
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.accounts.list()).rejects.toBeInstanceOf(StoreUnavailableError);
    });
  });
});

describe('mongo backend before migrate made the indexes', () => {
  let url: string;
  let store: Store;
  beforeEach(async () => {
    url = uniqueDatabaseUrl(baseUrl);
    store = await openMongoStore(url);
  });
  afterEach(async () => {
    await store.close();
    await dropDatabase(url);
  });

  test('a membership and a grant still exist once: their _id is the pair (or triple) itself', async () => {
    const added = await Promise.all([1, 2, 3].map(() => store.groups.addMember('grp_a', 'account-1')));
    const granted = await Promise.all([1, 2, 3].map(() => store.roles.grant('keyline-admin', { kind: 'user', id: 'account-1' })));
    expect(added.filter(Boolean)).toHaveLength(1);
    expect(granted.filter(Boolean)).toHaveLength(1);
    expect(await store.groups.members('grp_a', 10)).toEqual(['account-1']);
    expect(await store.roles.grantsOf('keyline-admin')).toHaveLength(1);
  });
});

describe('mongo backend when the database is unreachable', () => {
  test('opening fails soon with StoreUnavailableError that names the host but not the password', async () => {
    const started = Date.now();
    const error = await rejection(openMongoStore('mongodb://keyline:s3cret-pa55@127.0.0.1:1/keyline?authSource=admin'));

    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toContain('127.0.0.1:1');
    expect((error as Error).message).not.toContain('s3cret-pa55');
    // The driver's own default would wait 30 s; Keyline's is 3 s.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  test('a store whose server goes away throws StoreUnavailableError, then works again by itself when it is back', async () => {
    // A FerretDB of its own, whatever MONGODB_URI says, since this test stops and restarts it.
    let server = await startFerretDb();
    const url = `${server.url}outage`;
    let store: Store | undefined;
    try {
      store = await openMongoStore(url, { serverSelectionTimeoutMS: 500 });
      await store.accounts.create({
        id: 'a', email: 'a@example.com', emailVerified: false, name: null, profile: {}, passwordHash: 'h', disabled: false,
        createdAt: new Date(), updatedAt: new Date(),
      });

      await server.stop();
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.accounts.findById('a')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.oidc.find('Session', 's')).rejects.toThrow(/MongoDB at mongodb:\/\/127\.0\.0\.1:\d+\/outage is unavailable/);

      server = await startFerretDb({ port: server.port, dataDirectory: server.dataDirectory });
      const deadline = Date.now() + 20_000;
      while (!(await store.ping().then(() => true, () => false)) && Date.now() < deadline) await sleep(200);

      await expect(store.ping()).resolves.toBeUndefined();
      expect((await store.accounts.findById('a'))?.email).toBe('a@example.com');
    } finally {
      await store?.close();
      await server.stop({ removeData: true });
    }
  });
});
