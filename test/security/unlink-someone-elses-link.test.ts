/**
 * Attack: a signed-in person posts the unlink form with another person's upstream and subject
 * (the subject can be guessed or seen: an email-like login name, a DN). Only the signed-in
 * account's own links can be unlinked: the victim's stays, and nothing is recorded as unlinked.
 */
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline, type KeylineFixture } from '../support/keyline-fixture.ts';
import { linkIdentity, signedInToSecurityPage } from '../support/linked-account.ts';
import { createTestUser } from '../support/oidc-flow.ts';
import { addUpstream } from '../support/upstreams-in-store.ts';

let f: KeylineFixture;
useKeyline(sqliteBackend, {}, async (fixture) => {
  f = fixture;
  await addUpstream(fixture.kl, { id: 'acme', name: 'Acme' });
});

test('the unlink form only ever touches the signed-in account\'s own links', async () => {
  const victim = await createTestUser(f.kl);
  const victimId = (await f.kl.store.accounts.findByEmail(victim.email))!.id;
  await linkIdentity(f.kl, victimId, 'acme', 'victim-subject');
  const attacker = await signedInToSecurityPage(f.kl);
  await linkIdentity(f.kl, attacker.accountId, 'acme', 'attacker-subject');

  await attacker.pages.open('/account/security');
  await attacker.pages.post('/account/security/identities/unlink', { upstream: 'acme', subject: 'victim-subject' });
  expect((await f.kl.store.federatedIdentities.find('acme', 'victim-subject'))?.accountId).toBe(victimId);
  expect(await f.kl.store.audit.query({ type: 'federation.unlinked', limit: 10 })).toEqual([]);
  // Unlinking is also behind the account's CSRF token: without it, not even the attacker's own link goes.
  const forged = await attacker.pages.browser.postForm(`${f.kl.url}/account/security/identities/unlink`, { upstream: 'acme', subject: 'attacker-subject' });
  expect(forged.status).toBe(403);
  expect(await f.kl.store.federatedIdentities.find('acme', 'attacker-subject')).toBeDefined();
});
