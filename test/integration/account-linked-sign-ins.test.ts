/** The account's security page lists its linked sign-ins and unlinks one while another way in remains. */
import { NO_PASSWORD } from '../../src/accounts/no-password.ts';
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline, type KeylineFixture } from '../support/keyline-fixture.ts';
import { linkIdentity, signedInToSecurityPage } from '../support/linked-account.ts';
import { addUpstream } from '../support/upstreams-in-store.ts';

let f: KeylineFixture;
useKeyline(sqliteBackend, {}, async (fixture) => {
  f = fixture;
  await addUpstream(fixture.kl, { id: 'acme', name: 'Acme SSO' });
  await addUpstream(fixture.kl, { id: 'globex', name: 'Globex' });
});

test('linked sign-ins are listed by upstream name; unlinking one is audited; the last way in stays', async () => {
  const { pages, accountId } = await signedInToSecurityPage(f.kl);
  await linkIdentity(f.kl, accountId, 'acme', 'a-1');
  await linkIdentity(f.kl, accountId, 'globex', 'g-1');
  const page = await pages.open('/account/security');
  expect(page.text).toContain('Linked sign-ins');
  expect(page.text).toContain('Unlink Acme SSO');
  expect(page.text).toContain('Unlink Globex');

  const done = await pages.post('/account/security/identities/unlink', { upstream: 'acme', subject: 'a-1' });
  expect(done.text).toContain('The sign-in was unlinked.');
  expect((await f.kl.store.federatedIdentities.listByAccount(accountId)).map((link) => link.upstreamId)).toEqual(['globex']);
  const events = await f.kl.store.audit.query({ type: 'federation.unlinked', limit: 10 });
  expect(events.map((event) => [event.accountId, event.data?.upstream])).toEqual([[accountId, 'acme']]);

  // Without a password or passkey, the last link is the only way in: it stays.
  await f.kl.store.accounts.update(accountId, { passwordHash: NO_PASSWORD });
  const refused = await pages.post('/account/security/identities/unlink', { upstream: 'globex', subject: 'g-1' });
  expect(refused.status).toBe(409);
  expect(refused.text).toContain('This is your only way to sign in.');
  expect(await f.kl.store.federatedIdentities.find('globex', 'g-1')).toBeDefined();
});

test('a password-less account sets its first password with no current one to type, and signs in with it after', async () => {
  const { pages, user, accountId } = await signedInToSecurityPage(f.kl);
  await f.kl.store.accounts.update(accountId, { passwordHash: NO_PASSWORD });
  const page = await pages.open('/account/password');
  expect(page.text).toContain('Your account has no password yet');
  expect(page.text).not.toContain('name="current"');
  await pages.post('/account/password', { password: 'a brand new first password' });
  expect(await f.kl.keyline.accounts.authenticate(user.email, 'a brand new first password')).toMatchObject({ id: accountId });
  const events = await f.kl.store.audit.query({ type: 'password.changed', limit: 10 });
  expect(events.some((event) => event.accountId === accountId && event.data?.first === true)).toBe(true);
});
