/**
 * Push delivery (RFC 8935) does not promise order: a transmitter retries a SET it could not deliver,
 * so an account-enabled issued before an account-disabled can arrive after it. Found in the attacker
 * review of fed-logout: any account-enabled lifted the disable, so the older one undid the newer
 * disable and the identity signed in again. Now an account-enabled lifts only a disable issued
 * before it (by the SETs' iat); an older one is accepted (202) and changes nothing.
 */
import { recordUpstreamSession } from '../../src/federation/upstream-sessions.ts';
import { sqliteBackend } from '../support/backends.ts';
import {
  ACCOUNT_DISABLED, ACCOUNT_ENABLED, issSub, pushSet, securityEventToken, signedInThroughUpstream, useUpstreamLogout,
} from '../support/upstream-logout.ts';

const setup = useUpstreamLogout(sqliteBackend);

test('an account-enabled issued before the disable does not lift it; a later one does', async () => {
  const { kl, client, acme } = setup();
  const login = await signedInThroughUpstream(kl, client, acme);
  const now = Math.floor(Date.now() / 1000);
  const about = { sub_id: issSub(acme, login.subject) };
  const signIn = () => recordUpstreamSession(kl.store, { upstreamId: 'acme', subject: login.subject, accountId: login.user.id, interactionUid: `later-${Date.now()}` });

  expect((await pushSet(kl, 'acme', await securityEventToken(kl, acme, { [ACCOUNT_DISABLED]: {} }, { ...about, iat: now }), acme.bearer)).status).toBe(202);
  const olderEnable = await securityEventToken(kl, acme, { [ACCOUNT_ENABLED]: {} }, { ...about, iat: now - 120 });
  expect((await pushSet(kl, 'acme', olderEnable, acme.bearer)).status).toBe(202);
  await expect(signIn()).rejects.toMatchObject({ name: 'UpstreamError', failure: 'denied' });

  expect((await pushSet(kl, 'acme', await securityEventToken(kl, acme, { [ACCOUNT_ENABLED]: {} }, { ...about, iat: now + 1 }), acme.bearer)).status).toBe(202);
  await expect(signIn()).resolves.toBeUndefined();
});
