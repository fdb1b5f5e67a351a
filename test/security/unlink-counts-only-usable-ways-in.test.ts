/**
 * "Another way in remains" must mean one that works: a link through an upstream an administrator
 * has disabled signs no one in. A password-less account linked at Acme and at a disabled Globex
 * cannot unlink Acme (it would be locked out), and cannot remove its last passkey on that count.
 */
import { NO_PASSWORD } from '../../src/accounts/no-password.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline, type KeylineFixture } from '../support/keyline-fixture.ts';
import { linkIdentity, signedInToSecurityPage } from '../support/linked-account.ts';
import { addUpstream } from '../support/upstreams-in-store.ts';

let f: KeylineFixture;
useKeyline(sqliteBackend, {}, async (fixture) => {
  f = fixture;
  await addUpstream(fixture.kl, { id: 'acme', name: 'Acme' });
  await addUpstream(fixture.kl, { id: 'globex', name: 'Globex', enabled: false });
});

test('a link through a disabled upstream does not count as another way in', async () => {
  const { pages, accountId } = await signedInToSecurityPage(f.kl);
  await linkIdentity(f.kl, accountId, 'acme', 'usable');
  await linkIdentity(f.kl, accountId, 'globex', 'unusable');
  await f.kl.store.accounts.update(accountId, { passwordHash: NO_PASSWORD });
  const csrf = hiddenField((await pages.open('/account/security')).text, 'csrf')!;
  const answer = await pages.browser.postForm(`${f.kl.url}/account/security/identities/unlink`, { csrf, upstream: 'acme', subject: 'usable' });
  expect(answer.status).toBe(409);
  expect(await f.kl.store.federatedIdentities.find('acme', 'usable')).toBeDefined();
  // The unusable one may go: it takes no way in away.
  const gone = await pages.browser.postForm(`${f.kl.url}/account/security/identities/unlink`, { csrf, upstream: 'globex', subject: 'unusable' });
  expect(gone.status).toBeLessThan(400);
  expect(await f.kl.store.federatedIdentities.find('globex', 'unusable')).toBeUndefined();
});
