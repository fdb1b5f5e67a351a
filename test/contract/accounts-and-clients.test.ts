/**
 * Storage contract, accounts and clients: every backend must pass this file unchanged.
 */
import { DuplicateError, NotFoundError } from '../../src/store/store-errors.ts';
import type { AccountRecord, ClientRecord } from '../../src/store/store.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { contractBackends, sleep, useFreshStore } from './contract-backends.ts';

const backends = await contractBackends();
afterAll(stopMongoTestServer);

function account(overrides: Partial<AccountRecord> = {}): AccountRecord {
  return {
    id: 'account-1',
    email: 'ada@example.com',
    emailVerified: false,
    name: 'Ada Lovelace',
    profile: { given_name: 'Ada', address: { locality: 'London', country: 'GB' }, phone_number: '+441234567890', phone_number_verified: true },
    passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
    disabled: false,
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
    updatedAt: new Date('2026-01-02T03:04:05.678Z'),
    ...overrides,
  };
}

function client(overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    clientId: 'web-app',
    metadata: {
      client_id: 'web-app',
      client_secret_hash: 'sha256:abc',
      redirect_uris: ['https://app.example.com/callback', 'https://app.example.com/cb?x=1'],
      grant_types: ['authorization_code', 'refresh_token'],
      default_max_age: 3600,
      require_pkce: false,
      jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83O', y: 'x_FE' }] },
      'https://example.com/custom.claim': { nested: [1, 2.5, null] },
    },
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
    updatedAt: new Date('2026-01-02T03:04:05.678Z'),
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe.each(backends)('$name store: accounts and clients', (backend) => {
  const store = useFreshStore(backend);

  describe('accounts', () => {
    test('a created account is found by id and by email, every field as it was given', async () => {
      await store().accounts.create(account());
      expect(await store().accounts.findById('account-1')).toStrictEqual(account());
      expect(await store().accounts.findByEmail('ada@example.com')).toStrictEqual(account());
    });

    test('an account without a name and disabled round-trips too', async () => {
      await store().accounts.create(account({ name: null, disabled: true }));
      expect(await store().accounts.findById('account-1')).toStrictEqual(account({ name: null, disabled: true }));
    });

    test('unknown ids and emails find nothing', async () => {
      await store().accounts.create(account());
      expect(await store().accounts.findById('account-2')).toBeUndefined();
      expect(await store().accounts.findByEmail('grace@example.com')).toBeUndefined();
    });

    test('creating an account with an email already taken throws DuplicateError naming the email', async () => {
      await store().accounts.create(account());
      const error = await rejection(store().accounts.create(account({ id: 'account-2', name: 'Someone Else' })));

      expect(error).toBeInstanceOf(DuplicateError);
      expect(error).toMatchObject({ entity: 'account', field: 'email' });
      expect(await store().accounts.findById('account-2')).toBeUndefined();
      expect((await store().accounts.findByEmail('ada@example.com'))?.id).toBe('account-1');
    });

    test('list returns every account ordered by email', async () => {
      await store().accounts.create(account({ id: 'c', email: 'carol@example.com' }));
      await store().accounts.create(account({ id: 'a', email: 'alice@example.com' }));
      await store().accounts.create(account({ id: 'b', email: 'bob@example.com' }));
      expect((await store().accounts.list()).map((listed) => listed.email))
        .toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com']);
    });

    test('update changes only the patched fields, moves updatedAt forward and returns the stored record', async () => {
      await store().accounts.create(account());
      const before = Date.now();

      const updated = await store().accounts.update('account-1', { disabled: true, passwordHash: 'new-hash' });

      expect(updated).toMatchObject({
        id: 'account-1', email: 'ada@example.com', name: 'Ada Lovelace', passwordHash: 'new-hash', disabled: true,
      });
      expect(updated.createdAt).toEqual(account().createdAt);
      expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(await store().accounts.findById('account-1')).toStrictEqual(updated);
    });

    test('update sets the email verification and the profile claims, exactly, leaving the rest alone', async () => {
      await store().accounts.create(account());
      const profile = { nickname: 'Ada', zoneinfo: 'Europe/London', address: { street_address: '12 St. James\'s Square', postal_code: 'SW1Y 4LB' } };
      const updated = await store().accounts.update('account-1', { emailVerified: true, profile });
      expect(updated).toMatchObject({ emailVerified: true, profile, name: 'Ada Lovelace', passwordHash: account().passwordHash });
      expect(await store().accounts.findById('account-1')).toStrictEqual(updated);
      expect((await store().accounts.findByEmail('ada@example.com'))?.profile).toEqual(profile);
    });

    test('custom attributes (string, number, boolean, string[], date) round-trip; a patch replaces the map; none leaves the key out', async () => {
      const attributes = { department: 'Engines', employee_id: 1815, contractor: false, teams: ['analytical', 'difference'], started: '1833-06-05' };
      await store().accounts.create(account({ attributes }));
      expect(await store().accounts.findById('account-1')).toStrictEqual(account({ attributes }));
      expect((await store().accounts.findByEmail('ada@example.com'))?.attributes).toStrictEqual(attributes);
      expect((await store().accounts.list())[0]).toStrictEqual(account({ attributes }));

      const renamed = await store().accounts.update('account-1', { name: 'Ada King' });
      expect(renamed.attributes).toStrictEqual(attributes);
      const replaced = await store().accounts.update('account-1', { attributes: { teams: [], contractor: true } });
      expect(replaced.attributes).toStrictEqual({ teams: [], contractor: true });
      expect(await store().accounts.findById('account-1')).toStrictEqual(replaced);

      const cleared = await store().accounts.update('account-1', { attributes: {} });
      expect(cleared).not.toHaveProperty('attributes');
      expect(await store().accounts.findById('account-1')).toStrictEqual(cleared);
      await store().accounts.create(account({ id: 'account-2', email: 'grace@example.com', attributes: {} }));
      expect(await store().accounts.findById('account-2')).not.toHaveProperty('attributes');
    });

    test('replaceAttributes sets them only while they are as expected (compare and set), and names a missing account', async () => {
      await store().accounts.create(account({ attributes: {} }));
      expect(await store().accounts.replaceAttributes('account-1', {}, { department: 'Engines' })).toBe(true);
      expect(await store().accounts.replaceAttributes('account-1', {}, { department: 'Stale' })).toBe(false);
      expect(await store().accounts.replaceAttributes('account-1', { department: 'Engines' }, { department: 'Engines', teams: ['a'] })).toBe(true);
      expect((await store().accounts.findById('account-1'))?.attributes).toStrictEqual({ department: 'Engines', teams: ['a'] });
      expect(await store().accounts.replaceAttributes('account-1', { department: 'Engines', teams: ['a'] }, {})).toBe(true);
      expect(await store().accounts.findById('account-1')).not.toHaveProperty('attributes');
      await expect(store().accounts.replaceAttributes('ghost', {}, { department: 'x' })).rejects.toBeInstanceOf(NotFoundError);
      expect(await store().accounts.findById('ghost')).toBeUndefined();
    });

    test('update of an account that does not exist throws NotFoundError and creates nothing', async () => {
      await expect(store().accounts.update('ghost', { name: 'Ghost' })).rejects.toBeInstanceOf(NotFoundError);
      expect(await store().accounts.findById('ghost')).toBeUndefined();
    });

    test('page returns accounts after a given email, in email order, at most limit of them', async () => {
      for (const [id, email] of [['d', 'dan@example.com'], ['a', 'alice@example.com'], ['c', 'carol@example.org'], ['b', 'bob@example.com']]) {
        await store().accounts.create(account({ id: id!, email: email! }));
      }
      const emails = (records: AccountRecord[]) => records.map((listed) => listed.email);
      expect(emails(await store().accounts.page({ limit: 2 }))).toEqual(['alice@example.com', 'bob@example.com']);
      expect(emails(await store().accounts.page({ afterEmail: 'bob@example.com', limit: 2 }))).toEqual(['carol@example.org', 'dan@example.com']);
      expect(emails(await store().accounts.page({ afterEmail: 'dan@example.com', limit: 2 }))).toEqual([]);
      expect(await store().accounts.page({ limit: 1 })).toStrictEqual([account({ id: 'a', email: 'alice@example.com' })]);
    });

    test('page searches emails for the given text literally, wherever it stands', async () => {
      for (const [id, email] of [['a', 'ann@example.com'], ['b', 'anna.b@example.org'], ['c', 'bo+ann@example.com'], ['d', 'dan@anxample.com']]) {
        await store().accounts.create(account({ id: id!, email: email! }));
      }
      const search = async (emailContains: string, afterEmail?: string) =>
        (await store().accounts.page({ emailContains, afterEmail, limit: 10 })).map((listed) => listed.id);
      expect(await search('ann')).toEqual(['a', 'b', 'c']);
      expect(await search('ann', 'ann@example.com')).toEqual(['b', 'c']);
      expect(await search('.b@')).toEqual(['b']);
      // Regular-expression and LIKE characters are plain text.
      expect(await search('a.n')).toEqual([]);
      expect(await search('+ann')).toEqual(['c']);
      expect(await search('%')).toEqual([]);
      expect(await search('example.org')).toEqual(['b']);
    });

    test('remove deletes one account, frees its email, and says whether there was one', async () => {
      await store().accounts.create(account());
      await store().accounts.create(account({ id: 'account-2', email: 'grace@example.com' }));
      expect(await store().accounts.remove('account-1')).toBe(true);
      expect(await store().accounts.remove('account-1')).toBe(false);
      expect(await store().accounts.findById('account-1')).toBeUndefined();
      expect(await store().accounts.findByEmail('ada@example.com')).toBeUndefined();
      expect((await store().accounts.findById('account-2'))?.email).toBe('grace@example.com');
      await store().accounts.create(account({ id: 'account-3' }));
      expect((await store().accounts.findByEmail('ada@example.com'))?.id).toBe('account-3');
    });
  });

  describe('clients', () => {
    test('a created client is found with its metadata exactly as given', async () => {
      await store().clients.create(client());
      expect(await store().clients.find('web-app')).toStrictEqual(client());
    });

    test('an unknown client id finds nothing', async () => {
      expect(await store().clients.find('nobody')).toBeUndefined();
    });

    test('creating a client with an id already taken throws DuplicateError naming the client id', async () => {
      await store().clients.create(client());
      const error = await rejection(store().clients.create(client({ metadata: { client_id: 'web-app', other: true } })));

      expect(error).toBeInstanceOf(DuplicateError);
      expect(error).toMatchObject({ entity: 'client', field: 'client_id' });
      expect((await store().clients.find('web-app'))?.metadata).toStrictEqual(client().metadata);
    });

    test('list returns the clients in the order they were created', async () => {
      await store().clients.create(client({ clientId: 'zeta', createdAt: new Date('2026-01-01T00:00:00Z') }));
      await store().clients.create(client({ clientId: 'alpha', createdAt: new Date('2026-01-03T00:00:00Z') }));
      await store().clients.create(client({ clientId: 'mid', createdAt: new Date('2026-01-02T00:00:00Z') }));
      expect((await store().clients.list()).map((listed) => listed.clientId)).toEqual(['zeta', 'mid', 'alpha']);
    });

    test('update replaces the metadata, moves updatedAt forward and returns the stored client', async () => {
      await store().clients.create(client());
      await sleep(5);
      const metadata = { client_id: 'web-app', redirect_uris: ['https://new.example.com/cb'] };

      const updated = await store().clients.update('web-app', metadata);

      expect(updated.metadata).toStrictEqual(metadata);
      expect(updated.createdAt).toEqual(client().createdAt);
      expect(updated.updatedAt.getTime()).toBeGreaterThan(client().updatedAt.getTime());
      expect(await store().clients.find('web-app')).toStrictEqual(updated);
    });

    test('update of a client that does not exist throws NotFoundError and creates nothing', async () => {
      await expect(store().clients.update('ghost', { client_id: 'ghost' })).rejects.toBeInstanceOf(NotFoundError);
      expect(await store().clients.find('ghost')).toBeUndefined();
    });

    test('remove deletes the client and returns true, then false once there is nothing to remove', async () => {
      await store().clients.create(client());
      await store().clients.create(client({ clientId: 'other' }));

      expect(await store().clients.remove('web-app')).toBe(true);
      expect(await store().clients.find('web-app')).toBeUndefined();
      expect(await store().clients.remove('web-app')).toBe(false);
      expect(await store().clients.find('other')).toBeDefined();
    });

    test('the revision changes with every create, update and remove, and not on reads or failed writes', async () => {
      const seen = [await store().clients.revision()];
      const expectChanged = async () => {
        const now = await store().clients.revision();
        expect(seen).not.toContain(now);
        seen.push(now);
      };
      await store().clients.create(client());
      await expectChanged();
      await store().clients.update('web-app', { client_id: 'web-app', client_name: 'Renamed' });
      await expectChanged();
      await store().clients.find('web-app');
      await store().clients.list();
      await store().clients.remove('nothing-here');
      await expect(store().clients.create(client())).rejects.toBeInstanceOf(DuplicateError);
      expect(await store().clients.revision()).toBe(seen.at(-1));
      await store().clients.remove('web-app');
      await expectChanged();
    });
  });
});
