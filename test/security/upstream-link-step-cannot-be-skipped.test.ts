/**
 * Attack: link an upstream identity to a local account without the step that proves the account —
 * post the link form in an interaction no upstream step sent there, or sign in with the local
 * password on the ordinary login form and expect the identity to come along. Nothing is linked.
 */
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline, type KeylineFixture } from '../support/keyline-fixture.ts';
import { openLoginPage } from '../support/oidc-flow.ts';
import { addUpstream } from '../support/upstreams-in-store.ts';

let f: KeylineFixture;
useKeyline(sqliteBackend, {}, async (fixture) => {
  f = fixture;
  await addUpstream(fixture.kl, { id: 'acme', name: 'Acme SSO' });
});

test('posting the link form in an interaction with nothing to link is refused and links nothing', async () => {
  const { browser, action, csrf } = await openLoginPage(f.kl, f.client);
  const linkUrl = action.replace(/\/login$/, '/upstream-link');
  const forged = await browser.postForm(linkUrl, { csrf, password: f.user.password, upstream: 'acme', subject: 'attacker-subject' });
  expect(forged.status).toBe(400);
  expect((await browser.get(linkUrl)).status).toBe(400);
  for (const path of ['passkey/options', 'passkey']) {
    const json = await browser.request(`${linkUrl}/${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ csrf, purpose: 'second-factor', challengeId: 'x', response: { id: 'x' } }),
    });
    expect(json.status).toBe(400);
  }
  const account = (await f.kl.store.accounts.findByEmail(f.user.email))!;
  expect(await f.kl.store.federatedIdentities.listByAccount(account.id)).toEqual([]);
});
