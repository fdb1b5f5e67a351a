/**
 * Storage contract, second factors and recovery codes: every backend must pass this file unchanged.
 */
import { DuplicateError } from '../../src/store/store-errors.ts';
import type { FactorRecord } from '../../src/store/store.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { contractBackends, useFreshStore } from './contract-backends.ts';

const backends = await contractBackends();
afterAll(stopMongoTestServer);

function factor(overrides: Partial<FactorRecord> = {}): FactorRecord {
  return {
    id: 'factor-1',
    accountId: 'account-1',
    type: 'webauthn',
    name: 'Work laptop',
    counter: 0,
    credentialId: 'cred-AbC_-1',
    data: { publicKey: 'pQECAyYgASFYIK', transports: ['internal', 'hybrid'], backupEligible: true, 'a.b': { $c: 1 } },
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
    lastUsedAt: null,
    ...overrides,
  };
}

describe.each(backends)('$name store: factors and recovery codes', (backend) => {
  const store = useFreshStore(backend);

  describe('factors', () => {
    test('add then find, by id and by credential id, exactly as stored', async () => {
      await store().factors.add(factor());
      expect(await store().factors.find('factor-1')).toEqual(factor());
      expect(await store().factors.findByCredentialId('cred-AbC_-1')).toEqual(factor());
      expect(await store().factors.find('nope')).toBeUndefined();
      expect(await store().factors.findByCredentialId('nope')).toBeUndefined();
    });

    test('factors without a credential id coexist; a taken credential id throws DuplicateError', async () => {
      await store().factors.add(factor({ id: 'totp-1', type: 'totp', credentialId: null, data: { secret: 'sealed' } }));
      await store().factors.add(factor({ id: 'totp-2', type: 'totp', credentialId: null, data: { secret: 'sealed' } }));
      await store().factors.add(factor());
      await expect(store().factors.add(factor({ id: 'factor-2' }))).rejects.toThrow(DuplicateError);
      expect(await store().factors.find('factor-2')).toBeUndefined();
    });

    test('listByAccount returns one account\'s factors, oldest first', async () => {
      await store().factors.add(factor({ id: 'b', credentialId: 'cb', createdAt: new Date('2026-02-01T00:00:00Z') }));
      await store().factors.add(factor({ id: 'a', credentialId: 'ca', createdAt: new Date('2026-01-01T00:00:00Z') }));
      await store().factors.add(factor({ id: 'other', accountId: 'account-2', credentialId: 'co' }));
      expect((await store().factors.listByAccount('account-1')).map((f) => f.id)).toEqual(['a', 'b']);
      expect(await store().factors.listByAccount('account-3')).toEqual([]);
    });

    test('recordUse moves the counter only from the expected value, and stamps the use', async () => {
      await store().factors.add(factor({ counter: 5 }));
      expect(await store().factors.recordUse('factor-1', 4, 9)).toBe(false);
      expect(await store().factors.recordUse('factor-1', 5, 9)).toBe(true);
      expect(await store().factors.recordUse('factor-1', 5, 10)).toBe(false);
      const used = await store().factors.find('factor-1');
      expect(used?.counter).toBe(9);
      expect(used?.lastUsedAt).toBeInstanceOf(Date);
    });

    test('of 20 concurrent uses from the same counter value exactly one is recorded', async () => {
      await store().factors.add(factor({ counter: 100 }));
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store().factors.recordUse('factor-1', 100, 101 + i)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    test('rename and remove act only on the account\'s own factor', async () => {
      await store().factors.add(factor());
      expect(await store().factors.rename('account-2', 'factor-1', 'Stolen')).toBe(false);
      expect(await store().factors.rename('account-1', 'factor-1', 'Home desktop')).toBe(true);
      expect((await store().factors.find('factor-1'))?.name).toBe('Home desktop');
      expect(await store().factors.remove('account-2', 'factor-1')).toBe(false);
      expect(await store().factors.remove('account-1', 'factor-1')).toBe(true);
      expect(await store().factors.remove('account-1', 'factor-1')).toBe(false);
    });

    test('removeAllForAccount removes that account\'s factors and no other', async () => {
      await store().factors.add(factor({ id: 'a', credentialId: 'ca' }));
      await store().factors.add(factor({ id: 'b', credentialId: null, type: 'totp' }));
      await store().factors.add(factor({ id: 'c', accountId: 'account-2', credentialId: 'cc' }));
      expect(await store().factors.removeAllForAccount('account-1')).toBe(2);
      expect(await store().factors.listByAccount('account-1')).toEqual([]);
      expect(await store().factors.listByAccount('account-2')).toHaveLength(1);
    });
  });

  describe('recovery codes', () => {
    test('each code works once; counting shows what is left; replace forgets the old codes', async () => {
      await store().recoveryCodes.replace('account-1', ['h1', 'h2', 'h3']);
      expect(await store().recoveryCodes.countUnused('account-1')).toBe(3);
      expect(await store().recoveryCodes.use('account-1', 'h2')).toBe(true);
      expect(await store().recoveryCodes.use('account-1', 'h2')).toBe(false);
      expect(await store().recoveryCodes.use('account-2', 'h1')).toBe(false);
      expect(await store().recoveryCodes.countUnused('account-1')).toBe(2);

      await store().recoveryCodes.replace('account-1', ['n1', 'n2']);
      expect(await store().recoveryCodes.use('account-1', 'h1')).toBe(false);
      expect(await store().recoveryCodes.countUnused('account-1')).toBe(2);
      expect(await store().recoveryCodes.use('account-1', 'n1')).toBe(true);
    });

    test('of 20 concurrent uses of one code exactly one succeeds', async () => {
      await store().recoveryCodes.replace('account-1', ['raced', 'other']);
      const results = await Promise.all(Array.from({ length: 20 }, () => store().recoveryCodes.use('account-1', 'raced')));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store().recoveryCodes.countUnused('account-1')).toBe(1);
    });

    test('removeAllForAccount forgets them', async () => {
      await store().recoveryCodes.replace('account-1', ['h1']);
      await store().recoveryCodes.replace('account-2', ['h1']);
      await store().recoveryCodes.removeAllForAccount('account-1');
      expect(await store().recoveryCodes.countUnused('account-1')).toBe(0);
      expect(await store().recoveryCodes.countUnused('account-2')).toBe(1);
    });
  });
});
