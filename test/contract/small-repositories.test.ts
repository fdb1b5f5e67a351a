/**
 * Storage contract, signing keys, secrets, consents and counters: every backend must pass this file unchanged.
 */
import { DuplicateError } from '../../src/store/store-errors.ts';
import type { ConsentRecord, StoredSigningKey } from '../../src/store/store.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { contractBackends, sleep, useFreshStore } from './contract-backends.ts';

const backends = await contractBackends();
afterAll(stopMongoTestServer);

function signingKey(kid: string, createdAt: string, sequence = 1, alg = 'ES256'): StoredSigningKey {
  return {
    kid,
    alg,
    sequence,
    privateJwk: `kl1.sealed-${kid}`,
    createdAt: new Date(createdAt),
    activatesAt: new Date(createdAt),
    retiredAt: null,
  };
}

function consent(overrides: Partial<ConsentRecord> = {}): ConsentRecord {
  return {
    accountId: 'account-1',
    clientId: 'web-app',
    scopes: ['openid', 'email'],
    claims: ['sub', 'email', 'email_verified'],
    resources: { 'https://api.example.com/v1': ['read', 'write'], 'urn:example:billing': [] },
    updatedAt: new Date('2026-01-02T03:04:05.678Z'),
    ...overrides,
  };
}

describe.each(backends)('$name store: signing keys, secrets, consents, counters', (backend) => {
  const store = useFreshStore(backend);

  describe('signing keys', () => {
    test('list is empty at first, then returns the added keys by algorithm and sequence', async () => {
      expect(await store().signingKeys.list()).toEqual([]);
      await store().signingKeys.add(signingKey('es-2', '2026-02-01T00:00:00Z', 2));
      await store().signingKeys.add(signingKey('rs-1', '2026-03-01T00:00:00Z', 1, 'RS256'));
      await store().signingKeys.add(signingKey('es-1', '2026-01-01T00:00:00Z', 1));

      expect(await store().signingKeys.list()).toStrictEqual([
        signingKey('es-1', '2026-01-01T00:00:00Z', 1),
        signingKey('es-2', '2026-02-01T00:00:00Z', 2),
        signingKey('rs-1', '2026-03-01T00:00:00Z', 1, 'RS256'),
      ]);
    });

    test('adding a key whose kid exists throws DuplicateError naming the kid, and keeps the first key', async () => {
      await store().signingKeys.add(signingKey('k1', '2026-01-01T00:00:00Z'));
      const again = { ...signingKey('k1', '2026-03-01T00:00:00Z', 2), alg: 'RS256' };

      await expect(store().signingKeys.add(again)).rejects.toBeInstanceOf(DuplicateError);
      await expect(store().signingKeys.add(again)).rejects.toMatchObject({ entity: 'signing key', field: 'kid' });
      expect(await store().signingKeys.list()).toStrictEqual([signingKey('k1', '2026-01-01T00:00:00Z')]);
    });

    test('of 10 concurrent adds of the same algorithm and sequence exactly one is stored', async () => {
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, index) =>
        store().signingKeys.add(signingKey(`candidate-${index}`, '2026-01-01T00:00:00Z', 7))));

      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(DuplicateError);
      }
      expect(await store().signingKeys.list()).toHaveLength(1);
    });

    test('retire marks a key once; replacePrivateJwk swaps the text only while it is what the caller read', async () => {
      await store().signingKeys.add(signingKey('k1', '2026-01-01T00:00:00Z'));
      const at = new Date('2026-04-01T00:00:00Z');
      expect(await store().signingKeys.retire('k1', at)).toBe(true);
      expect(await store().signingKeys.retire('k1', new Date())).toBe(false);
      expect(await store().signingKeys.retire('missing', at)).toBe(false);

      expect(await store().signingKeys.replacePrivateJwk('k1', 'kl1.sealed-k1', 'kl1.resealed')).toBe(true);
      expect(await store().signingKeys.replacePrivateJwk('k1', 'kl1.sealed-k1', 'kl1.again')).toBe(false);
      expect(await store().signingKeys.list()).toStrictEqual([{ ...signingKey('k1', '2026-01-01T00:00:00Z'), retiredAt: at, privateJwk: 'kl1.resealed' }]);
    });
  });

  describe('secrets', () => {
    test('get of a secret never stored returns undefined', async () => {
      expect(await store().secrets.get('cookie-keys')).toBeUndefined();
    });

    test('putIfAbsent stores the first value and hands it back to every later writer', async () => {
      expect(await store().secrets.putIfAbsent('cookie-keys', 'first')).toBe('first');
      expect(await store().secrets.putIfAbsent('cookie-keys', 'second')).toBe('first');
      expect(await store().secrets.get('cookie-keys')).toBe('first');
      expect(await store().secrets.putIfAbsent('other', 'own value')).toBe('own value');
    });

    test('replace swaps a value only while it is the expected one; names lists every secret', async () => {
      await store().secrets.putIfAbsent('cookie-keys', 'plain');
      expect(await store().secrets.replace('cookie-keys', 'plain', 'sealed')).toBe(true);
      expect(await store().secrets.replace('cookie-keys', 'plain', 'other')).toBe(false);
      expect(await store().secrets.replace('missing', 'x', 'y')).toBe(false);
      expect(await store().secrets.get('cookie-keys')).toBe('sealed');
      await store().secrets.putIfAbsent('csrf-secret', 'v');
      expect(await store().secrets.names()).toEqual(['cookie-keys', 'csrf-secret']);
    });

    test('of 50 concurrent putIfAbsent calls one value wins and all 50 get that value', async () => {
      const offered = Array.from({ length: 50 }, (_, index) => `value-${index}`);

      const kept = await Promise.all(offered.map((value) => store().secrets.putIfAbsent('raced', value)));

      const winner = kept[0]!;
      expect(offered).toContain(winner);
      expect(kept.every((value) => value === winner)).toBe(true);
      expect(await store().secrets.get('raced')).toBe(winner);
    });
  });

  describe('consents', () => {
    test('find returns nothing before save, then the saved consent exactly', async () => {
      expect(await store().consents.find('account-1', 'web-app')).toBeUndefined();
      await store().consents.save(consent());
      expect(await store().consents.find('account-1', 'web-app')).toStrictEqual(consent());
    });

    test('saving again for the same account and client overwrites the earlier consent', async () => {
      await store().consents.save(consent());
      const narrower = consent({ scopes: ['openid'], claims: ['sub'], resources: {}, updatedAt: new Date('2026-05-05T00:00:00Z') });
      await store().consents.save(narrower);
      expect(await store().consents.find('account-1', 'web-app')).toStrictEqual(narrower);
    });

    test('consents are kept per account and client pair, even when ids contain separators', async () => {
      await store().consents.save(consent({ accountId: 'a:b', clientId: 'c', scopes: ['one'] }));
      await store().consents.save(consent({ accountId: 'a', clientId: 'b:c', scopes: ['two'] }));
      expect((await store().consents.find('a:b', 'c'))?.scopes).toEqual(['one']);
      expect((await store().consents.find('a', 'b:c'))?.scopes).toEqual(['two']);
      expect(await store().consents.find('a', 'c')).toBeUndefined();
    });

    test('listForAccount gives that account\'s consents, most recently updated first, and remove forgets exactly one', async () => {
      const older = consent({ accountId: 'account-1', clientId: 'cli', updatedAt: new Date('2026-01-01T00:00:00Z') });
      const newer = consent({ accountId: 'account-1', clientId: 'web-app', updatedAt: new Date('2026-02-01T00:00:00Z') });
      await store().consents.save(older);
      await store().consents.save(newer);
      await store().consents.save(consent({ accountId: 'account-2', clientId: 'web-app' }));
      expect(await store().consents.listForAccount('account-1')).toStrictEqual([newer, older]);
      expect(await store().consents.listForAccount('nobody')).toStrictEqual([]);

      expect(await store().consents.remove('account-1', 'web-app')).toBe(true);
      expect(await store().consents.remove('account-1', 'web-app')).toBe(false);
      expect(await store().consents.listForAccount('account-1')).toStrictEqual([older]);
      expect(await store().consents.find('account-2', 'web-app')).toBeDefined();
    });

    test('removeForClient forgets every account\'s consent to that client and no other', async () => {
      await store().consents.save(consent({ accountId: 'account-1', clientId: 'web-app' }));
      await store().consents.save(consent({ accountId: 'account-2', clientId: 'web-app' }));
      await store().consents.save(consent({ accountId: 'account-1', clientId: 'cli' }));

      await store().consents.removeForClient('web-app');

      expect(await store().consents.find('account-1', 'web-app')).toBeUndefined();
      expect(await store().consents.find('account-2', 'web-app')).toBeUndefined();
      expect(await store().consents.find('account-1', 'cli')).toStrictEqual(consent({ accountId: 'account-1', clientId: 'cli' }));
    });

    test('removeForAccount forgets that account\'s consents to every client and no one else\'s', async () => {
      await store().consents.save(consent({ accountId: 'account-1', clientId: 'web-app' }));
      await store().consents.save(consent({ accountId: 'account-1', clientId: 'cli' }));
      await store().consents.save(consent({ accountId: 'account-2', clientId: 'web-app' }));

      await store().consents.removeForAccount('account-1');

      expect(await store().consents.find('account-1', 'web-app')).toBeUndefined();
      expect(await store().consents.find('account-1', 'cli')).toBeUndefined();
      expect(await store().consents.find('account-2', 'web-app')).toStrictEqual(consent({ accountId: 'account-2', clientId: 'web-app' }));
    });
  });

  describe('counters', () => {
    test('increment counts from 1 within one window, get reads it, reset forgets it', async () => {
      const before = Date.now();
      const first = await store().counters.increment('login:ada', 60);
      const second = await store().counters.increment('login:ada', 60);

      expect(first.count).toBe(1);
      expect(second.count).toBe(2);
      expect(second.resetAt).toEqual(first.resetAt);
      expect(first.resetAt.getTime()).toBeGreaterThanOrEqual(before + 60_000);
      expect(await store().counters.get('login:ada')).toEqual(second);
      expect(await store().counters.get('login:grace')).toBeUndefined();

      await store().counters.reset('login:ada');
      expect(await store().counters.get('login:ada')).toBeUndefined();
      expect((await store().counters.increment('login:ada', 60)).count).toBe(1);
    });

    test('counters are independent per key', async () => {
      await store().counters.increment('ip:1', 60);
      await store().counters.increment('ip:1', 60);
      expect((await store().counters.increment('ip:2', 60)).count).toBe(1);
      expect((await store().counters.get('ip:1'))?.count).toBe(2);
    });

    test('100 concurrent increments lose none: the count ends at 100 and each caller saw a distinct count', async () => {
      const states = await Promise.all(Array.from({ length: 100 }, () => store().counters.increment('raced', 60)));

      expect(states.map((state) => state.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(new Set(states.map((state) => state.resetAt.getTime())).size).toBe(1);
      expect((await store().counters.get('raced'))?.count).toBe(100);
    });

    test('once its window has passed a counter reads as absent and starts again at 1 in a new window', async () => {
      await store().counters.increment('window', 1);
      const old = await store().counters.increment('window', 1);
      expect(old.count).toBe(2);

      await sleep(1100);

      expect(await store().counters.get('window')).toBeUndefined();
      const restarted = await store().counters.increment('window', 1);
      expect(restarted.count).toBe(1);
      expect(restarted.resetAt.getTime()).toBeGreaterThan(old.resetAt.getTime());
    });

    test('decrement takes one back from a live counter, never below zero, and leaves its window alone', async () => {
      await store().counters.increment('taken-back', 60);
      const second = await store().counters.increment('taken-back', 60);
      await store().counters.decrement('taken-back');
      expect(await store().counters.get('taken-back')).toEqual({ count: 1, resetAt: second.resetAt });
      await store().counters.decrement('taken-back');
      await store().counters.decrement('taken-back');
      expect((await store().counters.get('taken-back'))?.count).toBe(0);
      await store().counters.decrement('never-counted');
      expect(await store().counters.get('never-counted')).toBeUndefined();
    });

    test('50 concurrent decrements against 30 increments end at zero, not below', async () => {
      for (let i = 0; i < 30; i += 1) await store().counters.increment('drained', 60);
      await Promise.all(Array.from({ length: 50 }, () => store().counters.decrement('drained')));
      expect((await store().counters.get('drained'))?.count).toBe(0);
      expect((await store().counters.increment('drained', 60)).count).toBe(1);
    });

    test('resetPrefix forgets exactly the counters whose key starts with the prefix', async () => {
      await store().counters.increment('pair:ada@example.test|10.0.0.1', 60);
      await store().counters.increment('pair:ada@example.test|10.0.0.2', 60);
      await store().counters.increment('pair:ada@example.test.evil|10.0.0.1', 60);
      await store().counters.increment('pair:ada@example.tesu|10.0.0.1', 60);
      await store().counters.increment('pair:bob@example.test|10.0.0.1', 60);

      expect(await store().counters.resetPrefix('pair:ada@example.test|')).toBe(2);

      expect(await store().counters.get('pair:ada@example.test|10.0.0.1')).toBeUndefined();
      expect(await store().counters.get('pair:ada@example.test|10.0.0.2')).toBeUndefined();
      expect((await store().counters.get('pair:ada@example.test.evil|10.0.0.1'))?.count).toBe(1);
      expect((await store().counters.get('pair:ada@example.tesu|10.0.0.1'))?.count).toBe(1);
      expect((await store().counters.get('pair:bob@example.test|10.0.0.1'))?.count).toBe(1);
    });
  });
});
