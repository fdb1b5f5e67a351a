/**
 * Attack (or accident): an account without a password whose only way in is a passkey (its upstream
 * link removed) removes that passkey, and is locked out for good. The passkey stays while nothing
 * else remains; with a link (or a password) it can go.
 */
import { NO_PASSWORD } from '../../src/accounts/no-password.ts';
import { SessionAddedFactors } from '../../src/account/security/session-added-factors.ts';
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline, type KeylineFixture } from '../support/keyline-fixture.ts';
import { linkIdentity, signedInToSecurityPage } from '../support/linked-account.ts';
import { addUpstream } from '../support/upstreams-in-store.ts';

let f: KeylineFixture;
useKeyline(sqliteBackend, {}, async (fixture) => {
  f = fixture;
  await addUpstream(fixture.kl, { id: 'acme', name: 'Acme' });
});

test('a password-less account\'s last passkey is not removed while it is the only way in', async () => {
  const { pages, accountId } = await signedInToSecurityPage(f.kl);
  // The passkey was added on this page in this session (as the security page does), then the password went.
  const [session] = await f.kl.store.oidc.listByAccount('Session', accountId);
  await f.kl.store.factors.add({
    id: 'only-passkey', accountId, type: 'webauthn', name: 'Laptop', counter: 0, credentialId: 'cred-only', data: {}, createdAt: new Date(), lastUsedAt: null,
  });
  await new SessionAddedFactors(f.kl.store).add(String(session!.payload.uid), 'only-passkey');
  await f.kl.store.accounts.update(accountId, { passwordHash: NO_PASSWORD });

  await pages.open('/account/security');
  const refused = await pages.post('/account/security/factors/only-passkey/remove');
  expect(refused.status).toBe(409);
  expect(refused.text).toContain('This passkey is your only way to sign in.');
  expect(await f.kl.store.factors.find('only-passkey')).toBeDefined();

  await linkIdentity(f.kl, accountId, 'acme', 'passkey-owner');
  const removed = await pages.post('/account/security/factors/only-passkey/remove');
  expect(removed.status).toBe(200);
  expect(await f.kl.store.factors.find('only-passkey')).toBeUndefined();
});
