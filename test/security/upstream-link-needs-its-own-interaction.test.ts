/**
 * Attack: the victim's upstream step is waiting for the link step; the attacker, who knows the
 * victim's local password (or wants the victim's upstream identity on their own account), posts to
 * the victim's interaction from their own browser. The interaction is bound to the browser that
 * started it (its cookie), so the pending link is out of reach; the victim can still finish it.
 */
import { sqliteBackend } from '../support/backends.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { useKeyline, type KeylineFixture } from '../support/keyline-fixture.ts';
import { openLoginPage } from '../support/oidc-flow.ts';
import { interactionAwaitingLink } from '../support/pending-upstream-link.ts';
import { addUpstream } from '../support/upstreams-in-store.ts';
import type { UpstreamRecord } from '../../src/store/store.ts';

let f: KeylineFixture;
let upstream: UpstreamRecord;
useKeyline(sqliteBackend, {}, async (fixture) => {
  f = fixture;
  upstream = await addUpstream(fixture.kl, { id: 'acme', name: 'Acme SSO' });
});

test('another browser cannot see or complete the link step of someone else\'s interaction', async () => {
  const account = (await f.kl.store.accounts.findByEmail(f.user.email))!;
  const victim = await interactionAwaitingLink(f.kl, f.client, upstream, account.id, {
    subject: 'victim-subject', email: f.user.email, emailVerified: true, claims: {},
  });
  // The attacker has a login page (and a csrf token) of their own, and a fresh browser too.
  const attacker = await openLoginPage(f.kl, f.client);
  for (const browser of [attacker.browser, new BrowserLikeClient()]) {
    expect((await browser.get(victim.linkUrl)).status).not.toBe(200);
    const posted = await browser.postForm(victim.linkUrl, { csrf: attacker.csrf, password: f.user.password });
    expect([303, 200]).not.toContain(posted.status);
    const withVictimsToken = await browser.postForm(victim.linkUrl, { csrf: victim.csrf, password: f.user.password });
    expect([303, 200]).not.toContain(withVictimsToken.status);
  }
  expect(await f.kl.store.federatedIdentities.find('acme', 'victim-subject')).toBeUndefined();

  const own = await victim.browser.postForm(victim.linkUrl, { csrf: victim.csrf, password: f.user.password });
  expect(own.status).toBe(303);
  expect((await f.kl.store.federatedIdentities.find('acme', 'victim-subject'))?.accountId).toBe(account.id);
});
