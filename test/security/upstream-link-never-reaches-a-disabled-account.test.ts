/**
 * A disabled account is refused to an upstream sign-in that is linked to it; the link step must not
 * be a way around that. Proving a disabled account with its passkey (the password path already
 * refuses: authenticate never answers for a disabled account) links nothing and signs no one in.
 */
import { sqliteBackend } from '../support/backends.ts';
import type { BrowserLikeClient } from '../support/browser-like-client.ts';
import { useKeyline, type KeylineFixture } from '../support/keyline-fixture.ts';
import { interactionAwaitingLink } from '../support/pending-upstream-link.ts';
import { SoftwarePasskey } from '../support/software-passkey.ts';
import { addUpstream } from '../support/upstreams-in-store.ts';
import type { UpstreamRecord } from '../../src/store/store.ts';

let f: KeylineFixture;
let upstream: UpstreamRecord;
useKeyline(sqliteBackend, { hostname: 'localhost' }, async (fixture) => {
  f = fixture;
  upstream = await addUpstream(fixture.kl, { id: 'acme', name: 'Acme SSO' });
});

function postJson(browser: BrowserLikeClient, url: string, body: Record<string, unknown>) {
  return browser.request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
}

test('a disabled account\'s own passkey links nothing and continues no sign-in', async () => {
  const account = (await f.kl.store.accounts.findByEmail(f.user.email))!;
  const passkey = new SoftwarePasskey(f.kl.url);
  await f.kl.store.factors.add({
    id: `passkey-${passkey.id}`, accountId: account.id, type: 'webauthn', name: 'Laptop', counter: 0, credentialId: passkey.id,
    data: { publicKey: passkey.publicKeyCose, backupEligible: false }, createdAt: new Date(), lastUsedAt: null,
  });
  const { browser, csrf, linkUrl } = await interactionAwaitingLink(f.kl, f.client, upstream, account.id, {
    subject: 'linker-of-a-disabled-account', email: f.user.email, emailVerified: true, claims: {},
  });
  await f.kl.store.accounts.update(account.id, { disabled: true });

  const options = await postJson(browser, `${linkUrl}/passkey/options`, { csrf });
  const answer = options.status === 200
    ? await (async () => {
      const { challengeId, options: request } = options.json<{ challengeId: string; options: { challenge: string } }>();
      return postJson(browser, `${linkUrl}/passkey`, { csrf, challengeId, response: passkey.get(request) });
    })()
    : options;
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(await f.kl.store.federatedIdentities.find('acme', 'linker-of-a-disabled-account')).toBeUndefined();
});
