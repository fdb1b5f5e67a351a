/**
 * Storage contract, oidc-provider's records: every backend must pass this file unchanged.
 */
import type { OidcPayload } from '../../src/store/store.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { contractBackends, sleep, useFreshStore } from './contract-backends.ts';

const backends = await contractBackends();
afterAll(stopMongoTestServer);

/** Keys with dots and dollars, unicode, nesting, every JSON number shape: all must come back as they went in. */
const RICH_PAYLOAD: OidcPayload = {
  accountId: 'account-1',
  grantId: 'grant-1',
  kind: 'Grant',
  openid: { scope: 'openid email', claims: ['sub', 'email'] },
  resources: { 'https://api.example.com/v1': 'read write', 'urn:example:billing': 'invoices' },
  rejected: { 'dotted.key': ['a.b', 'c'], $dollar: { nested: true } },
  numbers: { integer: 42, negative: -7, fraction: 3.25, largest: Number.MAX_SAFE_INTEGER, zero: 0 },
  lists: [[1, 2], [], [{ deep: { deeper: [null, false, 'x'] } }]],
  empty: {},
  nothing: null,
  text: 'Zürich — 東京 🚀 "quoted" \\ back',
};

describe.each(backends)('$name store: oidc records', (backend) => {
  const store = useFreshStore(backend);

  describe('upsert and find', () => {
    test('find returns the upserted payload exactly, nested objects, arrays, numbers and odd keys included', async () => {
      await store().oidc.upsert('Grant', 'grant-1', RICH_PAYLOAD, 3600);
      expect(await store().oidc.find('Grant', 'grant-1')).toStrictEqual(RICH_PAYLOAD);
    });

    test('find of an id that was never stored returns undefined', async () => {
      expect(await store().oidc.find('AccessToken', 'no-such-token')).toBeUndefined();
    });

    test('each model is its own namespace: the same id under another model is not found', async () => {
      await store().oidc.upsert('AccessToken', 'shared-id', { accountId: 'a' }, 60);
      expect(await store().oidc.find('RefreshToken', 'shared-id')).toBeUndefined();
      expect(await store().oidc.find('AccessToken', 'shared-id')).toEqual({ accountId: 'a' });
    });

    test('upsert of an existing id replaces the whole payload and its lookups', async () => {
      await store().oidc.upsert('Session', 'session-1', { uid: 'uid-old', accountId: 'a', stale: 'gone soon' }, 60);
      await store().oidc.upsert('Session', 'session-1', { uid: 'uid-new', accountId: 'b' }, 60);

      expect(await store().oidc.find('Session', 'session-1')).toStrictEqual({ uid: 'uid-new', accountId: 'b' });
      expect(await store().oidc.findByUid('Session', 'uid-old')).toBeUndefined();
      expect(await store().oidc.findByUid('Session', 'uid-new')).toStrictEqual({ uid: 'uid-new', accountId: 'b' });
      expect(await store().oidc.listByAccount('Session', 'a')).toEqual([]);
      expect((await store().oidc.listByAccount('Session', 'b')).map((record) => record.id)).toEqual(['session-1']);
    });

    test('ids are strings, even when they look like numbers or ObjectIds', async () => {
      const ids = ['42', '0042', '64b7f0c2a1b2c3d4e5f60718', 'a/b?c=d#e'];
      for (const id of ids) await store().oidc.upsert('AccessToken', id, { accountId: 'ids', jti: id }, 60);

      for (const id of ids) expect(await store().oidc.find('AccessToken', id)).toEqual({ accountId: 'ids', jti: id });
      expect(await store().oidc.find('AccessToken', '0042')).not.toEqual(await store().oidc.find('AccessToken', '42'));
      const listed = await store().oidc.listByAccount('AccessToken', 'ids');
      expect(listed.map((record) => record.id).sort()).toEqual([...ids].sort());
      for (const record of listed) expect(typeof record.id).toBe('string');
    });
  });

  describe('findByUid and findByUserCode', () => {
    test('findByUid finds a session by its uid, and nothing for an unknown uid', async () => {
      await store().oidc.upsert('Session', 'session-1', { uid: 'uid-1', accountId: 'a' }, 60);
      await store().oidc.upsert('Session', 'session-2', { uid: 'uid-2', accountId: 'a' }, 60);

      expect(await store().oidc.findByUid('Session', 'uid-2')).toEqual({ uid: 'uid-2', accountId: 'a' });
      expect(await store().oidc.findByUid('Session', 'uid-3')).toBeUndefined();
    });

    test('a second session with a uid already in use is refused, and the first keeps it', async () => {
      await store().oidc.upsert('Session', 'session-1', { uid: 'taken', accountId: 'a' }, 60);
      await expect(store().oidc.upsert('Session', 'session-2', { uid: 'taken', accountId: 'b' }, 60)).rejects.toThrow();
      expect(await store().oidc.findByUid('Session', 'taken')).toEqual({ uid: 'taken', accountId: 'a' });
    });

    test('findByUserCode finds a device code by its user code, and nothing for an unknown one', async () => {
      await store().oidc.upsert('DeviceCode', 'device-1', { userCode: 'WDJB-MJHT', clientId: 'tv' }, 600);

      expect(await store().oidc.findByUserCode('DeviceCode', 'WDJB-MJHT')).toEqual({ userCode: 'WDJB-MJHT', clientId: 'tv' });
      expect(await store().oidc.findByUserCode('DeviceCode', 'XXXX-XXXX')).toBeUndefined();
    });
  });

  describe('consume', () => {
    test('the first consume succeeds, the next ones fail, and find shows the record consumed', async () => {
      await store().oidc.upsert('AuthorizationCode', 'code-1', { grantId: 'g', accountId: 'a' }, 60);
      expect((await store().oidc.find('AuthorizationCode', 'code-1'))?.consumed).toBeFalsy();

      const before = Date.now();
      expect(await store().oidc.consume('AuthorizationCode', 'code-1')).toBe(true);
      const after = Date.now();
      expect(await store().oidc.consume('AuthorizationCode', 'code-1')).toBe(false);

      const found = await store().oidc.find('AuthorizationCode', 'code-1');
      // When it was consumed, in epoch seconds with millisecond precision (the refresh reuse interval needs it).
      expect(found?.consumed).toBeGreaterThanOrEqual(before / 1000);
      expect(found?.consumed).toBeLessThanOrEqual(after / 1000);
      expect(found).toMatchObject({ grantId: 'g', accountId: 'a' });
    });

    test('consume of a record that does not exist returns false', async () => {
      expect(await store().oidc.consume('AuthorizationCode', 'never-issued')).toBe(false);
    });

    test('upserting a consumed record again leaves it consumed (a replayed code stays detectable)', async () => {
      await store().oidc.upsert('RefreshToken', 'refresh-1', { grantId: 'g', accountId: 'a' }, 60);
      expect(await store().oidc.consume('RefreshToken', 'refresh-1')).toBe(true);
      await store().oidc.upsert('RefreshToken', 'refresh-1', { grantId: 'g', accountId: 'a', rotated: true }, 60);

      expect((await store().oidc.find('RefreshToken', 'refresh-1'))?.consumed).toBeTruthy();
      expect(await store().oidc.consume('RefreshToken', 'refresh-1')).toBe(false);
    });

    test('of 100 concurrent consumers of one code exactly one wins', async () => {
      await store().oidc.upsert('AuthorizationCode', 'raced', { grantId: 'g' }, 60);

      const outcomes = await Promise.all(
        Array.from({ length: 100 }, () => store().oidc.consume('AuthorizationCode', 'raced')),
      );

      expect(outcomes.filter((won) => won)).toHaveLength(1);
      expect((await store().oidc.find('AuthorizationCode', 'raced'))?.consumed).toBeTruthy();
    });
  });

  describe('destroy, revokeByGrantId', () => {
    test('destroy removes the record; destroying a missing one is harmless', async () => {
      await store().oidc.upsert('Interaction', 'interaction-1', { uid: 'interaction-1' }, 60);
      await store().oidc.destroy('Interaction', 'interaction-1');
      expect(await store().oidc.find('Interaction', 'interaction-1')).toBeUndefined();
      await expect(store().oidc.destroy('Interaction', 'interaction-1')).resolves.toBeUndefined();
    });

    test('revokeByGrantId removes one model\'s records of the grant, leaving its other models and other grants alone', async () => {
      const oidc = store().oidc;
      await oidc.upsert('AuthorizationCode', 'code-g', { grantId: 'g', accountId: 'a' }, 60);
      await oidc.upsert('AccessToken', 'access-g', { grantId: 'g', accountId: 'a' }, 60);
      await oidc.upsert('RefreshToken', 'refresh-g', { grantId: 'g', accountId: 'a' }, 60);
      await oidc.upsert('DeviceCode', 'device-g', { grantId: 'g', userCode: 'AAAA-BBBB' }, 60);
      await oidc.upsert('BackchannelAuthenticationRequest', 'ciba-g', { grantId: 'g' }, 60);
      await oidc.upsert('AccessToken', 'access-h', { grantId: 'h', accountId: 'a' }, 60);
      await oidc.upsert('RefreshToken', 'refresh-h', { grantId: 'h', accountId: 'a' }, 60);
      await oidc.upsert('Session', 'session-a', { uid: 'uid-a', accountId: 'a' }, 60);

      const revoked = await Promise.all(
        ['AuthorizationCode', 'AccessToken', 'RefreshToken', 'DeviceCode'].map((model) => oidc.revokeByGrantId(model, 'g')),
      );
      expect(revoked).toEqual([1, 1, 1, 1]);
      expect(await oidc.find('BackchannelAuthenticationRequest', 'ciba-g')).toEqual({ grantId: 'g' });
      expect(await oidc.revokeByGrantId('BackchannelAuthenticationRequest', 'g')).toBe(1);

      expect(await oidc.find('AuthorizationCode', 'code-g')).toBeUndefined();
      expect(await oidc.find('AccessToken', 'access-g')).toBeUndefined();
      expect(await oidc.find('RefreshToken', 'refresh-g')).toBeUndefined();
      expect(await oidc.findByUserCode('DeviceCode', 'AAAA-BBBB')).toBeUndefined();
      expect(await oidc.find('BackchannelAuthenticationRequest', 'ciba-g')).toBeUndefined();
      expect(await oidc.find('AccessToken', 'access-h')).toEqual({ grantId: 'h', accountId: 'a' });
      expect(await oidc.find('RefreshToken', 'refresh-h')).toEqual({ grantId: 'h', accountId: 'a' });
      expect(await oidc.find('Session', 'session-a')).toEqual({ uid: 'uid-a', accountId: 'a' });
      expect(await oidc.revokeByGrantId('AccessToken', 'g')).toBe(0);
    });
  });

  describe('listByAccount and destroyByAccount', () => {
    test('listByAccount gives the account\'s live records of one model, newest expiry first, with ids and expiries', async () => {
      const oidc = store().oidc;
      const before = Date.now();
      await oidc.upsert('Session', 'short', { uid: 'u-short', accountId: 'a' }, 100);
      await oidc.upsert('Session', 'long', { uid: 'u-long', accountId: 'a' }, 300);
      await oidc.upsert('Session', 'middle', { uid: 'u-middle', accountId: 'a' }, 200);
      await oidc.upsert('Session', 'someone-else', { uid: 'u-other', accountId: 'b' }, 300);
      await oidc.upsert('Grant', 'grant-a', { accountId: 'a' }, 300);
      const after = Date.now();

      const listed = await oidc.listByAccount('Session', 'a');

      expect(listed.map((record) => record.id)).toEqual(['long', 'middle', 'short']);
      expect(listed[0]!.payload).toEqual({ uid: 'u-long', accountId: 'a' });
      const expiry = listed[0]!.expiresAt!.getTime();
      expect(expiry).toBeGreaterThanOrEqual(before + 300_000);
      expect(expiry).toBeLessThanOrEqual(after + 300_000);
      expect(await oidc.listByAccount('Session', 'nobody')).toEqual([]);
    });

    test('listByModel gives every live record of one model, whoever it belongs to, newest expiry first, and nothing of another model', async () => {
      const oidc = store().oidc;
      await oidc.upsert('InitialAccessToken', 'iat-short', { policies: ['keyline'] }, 100);
      await oidc.upsert('InitialAccessToken', 'iat-long', { policies: ['keyline'], keylineMaxUses: 2 }, 300);
      await oidc.upsert('InitialAccessToken', 'iat-forever', { policies: ['keyline'] });
      await oidc.upsert('InitialAccessToken', 'iat-expired', { policies: ['keyline'] }, 1);
      await oidc.upsert('RegistrationAccessToken', 'rat', { clientId: 'c' }, 300);
      await sleep(1100);
      const listed = await oidc.listByModel('InitialAccessToken');
      expect(listed.map((record) => record.id).sort()).toEqual(['iat-forever', 'iat-long', 'iat-short']);
      const timed = listed.filter((record) => record.expiresAt !== null);
      expect(timed.map((record) => record.id)).toEqual(['iat-long', 'iat-short']);
      expect(listed.find((record) => record.id === 'iat-long')!.payload).toEqual({ policies: ['keyline'], keylineMaxUses: 2 });
      expect(await oidc.listByModel('BackchannelAuthenticationRequest')).toEqual([]);
    });

    test('a record stored without an expiry is listed with expiresAt null and never expires', async () => {
      await store().oidc.upsert('Grant', 'forever', { accountId: 'a' });
      const [listed] = await store().oidc.listByAccount('Grant', 'a');
      expect(listed).toEqual({ id: 'forever', payload: { accountId: 'a' }, expiresAt: null });
      expect(await store().oidc.find('Grant', 'forever')).toEqual({ accountId: 'a' });
    });

    test('destroyByAccount removes the account\'s sessions, grants and tokens of every model, and only those', async () => {
      const oidc = store().oidc;
      await oidc.upsert('Session', 'session-a', { uid: 'uid-a', accountId: 'a' }, 60);
      await oidc.upsert('Grant', 'grant-a', { accountId: 'a' }, 60);
      await oidc.upsert('AccessToken', 'access-a', { accountId: 'a', grantId: 'grant-a' }, 60);
      await oidc.upsert('RefreshToken', 'refresh-a', { accountId: 'a', grantId: 'grant-a' }, 60);
      await oidc.upsert('Session', 'session-b', { uid: 'uid-b', accountId: 'b' }, 60);
      await oidc.upsert('AccessToken', 'access-b', { accountId: 'b' }, 60);

      expect(await oidc.destroyByAccount('a')).toBe(4);

      expect(await oidc.findByUid('Session', 'uid-a')).toBeUndefined();
      expect(await oidc.find('Grant', 'grant-a')).toBeUndefined();
      expect(await oidc.find('AccessToken', 'access-a')).toBeUndefined();
      expect(await oidc.find('RefreshToken', 'refresh-a')).toBeUndefined();
      expect(await oidc.findByUid('Session', 'uid-b')).toEqual({ uid: 'uid-b', accountId: 'b' });
      expect(await oidc.find('AccessToken', 'access-b')).toEqual({ accountId: 'b' });
    });
  });

  describe('findToken', () => {
    test('finds a token in whichever of the models holds its id, with its grant and session, and nothing for an unknown id', async () => {
      const oidc = store().oidc;
      await oidc.upsert('Grant', 'bundle-grant', { accountId: 'a', clientId: 'c' }, 60);
      await oidc.upsert('Session', 'bundle-session', { uid: 'bundle-uid', accountId: 'a' }, 60);
      await oidc.upsert('RefreshToken', 'bundle-token', { grantId: 'bundle-grant', sessionUid: 'bundle-uid', accountId: 'a' }, 60);

      expect(await oidc.findToken(['AccessToken', 'ClientCredentials', 'RefreshToken'], 'bundle-token')).toStrictEqual({
        model: 'RefreshToken',
        payload: { grantId: 'bundle-grant', sessionUid: 'bundle-uid', accountId: 'a' },
        grant: { accountId: 'a', clientId: 'c' },
        session: { uid: 'bundle-uid', accountId: 'a' },
      });
      expect(await oidc.findToken(['RefreshToken'], 'bundle-token')).toMatchObject({ model: 'RefreshToken' });
      expect(await oidc.findToken(['AccessToken', 'ClientCredentials'], 'bundle-token')).toBeUndefined();
      expect(await oidc.findToken(['AccessToken'], 'no-such-token')).toBeUndefined();
    });

    test('a token without a grant or session, or whose grant is gone, comes without them; consumed shows as in find', async () => {
      const oidc = store().oidc;
      await oidc.upsert('ClientCredentials', 'machine-token', { clientId: 'm' }, 60);
      expect(await oidc.findToken(['AccessToken', 'ClientCredentials'], 'machine-token'))
        .toStrictEqual({ model: 'ClientCredentials', payload: { clientId: 'm' }, grant: undefined, session: undefined });

      await oidc.upsert('Grant', 'revoked-grant', { accountId: 'a' }, 60);
      await oidc.upsert('RefreshToken', 'orphan-token', { grantId: 'revoked-grant', sessionUid: 'nobody', accountId: 'a' }, 60);
      await oidc.destroy('Grant', 'revoked-grant');
      expect(await oidc.consume('RefreshToken', 'orphan-token')).toBe(true);
      const found = await oidc.findToken(['RefreshToken'], 'orphan-token');
      expect(found).toMatchObject({ model: 'RefreshToken', grant: undefined, session: undefined });
      expect(found!.payload).toStrictEqual(await oidc.find('RefreshToken', 'orphan-token'));
      expect(found!.payload.consumed).toEqual(expect.any(Number));
    });
  });

  describe('writes asked for together', () => {
    test('each write of one turn gets its own outcome: a duplicate fails alone, one of two consumes wins, the rest is stored', async () => {
      const { oidc } = store();
      await oidc.upsert('AuthorizationCode', 'code-1', { accountId: 'a', grantId: 'g' }, 60);
      const outcomes = await Promise.allSettled([
        oidc.upsert('Session', 'session-a', { uid: 'uid-shared', accountId: 'a' }, 60),
        oidc.upsert('Session', 'session-b', { uid: 'uid-shared', accountId: 'b' }, 60),
        oidc.consume('AuthorizationCode', 'code-1'),
        oidc.consume('AuthorizationCode', 'code-1'),
        oidc.upsert('AccessToken', 'token-after', { accountId: 'a', grantId: 'g' }, 60),
        oidc.destroy('AccessToken', 'never-stored'),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      expect([(outcomes[2] as PromiseFulfilledResult<boolean>).value, (outcomes[3] as PromiseFulfilledResult<boolean>).value].sort()).toEqual([false, true]);
      expect(await oidc.findByUid('Session', 'uid-shared')).toEqual({ uid: 'uid-shared', accountId: 'a' });
      expect(await oidc.find('Session', 'session-b')).toBeUndefined();
      expect(await oidc.find('AccessToken', 'token-after')).toEqual({ accountId: 'a', grantId: 'g' });
      expect((await oidc.find('AuthorizationCode', 'code-1'))?.consumed).toBeTruthy();
    });

    test('a write is stored with the payload as it was when it was asked for', async () => {
      const payload: OidcPayload = { accountId: 'a', scope: 'openid' };
      const written = store().oidc.upsert('Grant', 'grant-changing', payload, 60);
      payload.scope = 'openid email';
      await written;
      expect(await store().oidc.find('Grant', 'grant-changing')).toEqual({ accountId: 'a', scope: 'openid' });
    });
  });

  describe('expiry', () => {
    // No backend's cleanup (SQLite's sweep, MongoDB's TTL monitor, FerretDB has none) runs within
    // this test, so it checks that every read filters expired records out by itself.
    test('a record past its expiry is invisible to find, findByUid, findByUserCode, findToken, listByAccount and consume', async () => {
      const oidc = store().oidc;
      await oidc.upsert('Session', 'expiring-session', { uid: 'expiring-uid', accountId: 'a' }, 1);
      await oidc.upsert('Grant', 'expiring-grant', { accountId: 'a' }, 1);
      await oidc.upsert('AccessToken', 'lasting-token', { grantId: 'expiring-grant', sessionUid: 'expiring-uid', accountId: 'a' }, 60);
      await oidc.upsert('AccessToken', 'expiring-token', { accountId: 'a' }, 1);
      await oidc.upsert('DeviceCode', 'expiring-device', { userCode: 'EXPI-RING', accountId: 'a' }, 1);
      await oidc.upsert('AuthorizationCode', 'expiring-code', { grantId: 'g', accountId: 'a' }, 1);
      await oidc.upsert('Session', 'lasting-session', { uid: 'lasting-uid', accountId: 'a' }, 60);
      expect(await oidc.findByUid('Session', 'expiring-uid')).toBeDefined();
      expect(await oidc.listByAccount('Session', 'a')).toHaveLength(2);

      await sleep(1100);

      expect(await oidc.find('Session', 'expiring-session')).toBeUndefined();
      expect(await oidc.findByUid('Session', 'expiring-uid')).toBeUndefined();
      expect(await oidc.findByUserCode('DeviceCode', 'EXPI-RING')).toBeUndefined();
      expect(await oidc.find('AuthorizationCode', 'expiring-code')).toBeUndefined();
      expect(await oidc.findToken(['AccessToken'], 'expiring-token')).toBeUndefined();
      expect(await oidc.findToken(['AccessToken'], 'lasting-token')).toMatchObject({ grant: undefined, session: undefined });
      expect(await oidc.consume('AuthorizationCode', 'expiring-code')).toBe(false);
      expect((await oidc.listByAccount('Session', 'a')).map((record) => record.id)).toEqual(['lasting-session']);
      expect(await oidc.findByUid('Session', 'lasting-uid')).toEqual({ uid: 'lasting-uid', accountId: 'a' });
    });
  });
});
