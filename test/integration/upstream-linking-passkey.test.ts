/**
 * The link-your-account step with a passkey instead of the password: the account's own passkey,
 * answered to this interaction's challenge, links the upstream identity and the sign-in continues
 * with fed and the passkey's method; another account's passkey links nothing.
 */
import { decodeJwt } from 'jose';
import { sqliteBackend } from '../support/backends.ts';
import type { BrowserLikeClient } from '../support/browser-like-client.ts';
import { useKeyline, type KeylineFixture } from '../support/keyline-fixture.ts';
import { continueSignIn, createTestUser, exchangeCode } from '../support/oidc-flow.ts';
import { interactionAwaitingLink } from '../support/pending-upstream-link.ts';
import { SoftwarePasskey } from '../support/software-passkey.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { addUpstream } from '../support/upstreams-in-store.ts';
import type { UpstreamRecord } from '../../src/store/store.ts';

let f: KeylineFixture;
let upstream: UpstreamRecord;
useKeyline(sqliteBackend, { hostname: 'localhost' }, async (fixture) => {
  f = fixture;
  upstream = await addUpstream(fixture.kl, { id: 'acme', name: 'Acme SSO' });
});

async function passkeyFor(kl: RunningKeyline, accountId: string): Promise<SoftwarePasskey> {
  const passkey = new SoftwarePasskey(kl.url);
  await kl.store.factors.add({
    id: `passkey-${passkey.id}`, accountId, type: 'webauthn', name: 'Laptop', counter: 0, credentialId: passkey.id,
    data: { publicKey: passkey.publicKeyCose, backupEligible: false }, createdAt: new Date(), lastUsedAt: null,
  });
  return passkey;
}

function postJson(browser: BrowserLikeClient, url: string, body: Record<string, unknown>) {
  return browser.request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
}

test('the account\'s own passkey links; another account\'s passkey does not', async () => {
  const account = (await f.kl.store.accounts.findByEmail(f.user.email))!;
  const own = await passkeyFor(f.kl, account.id);
  const stranger = await createTestUser(f.kl);
  const strangers = await passkeyFor(f.kl, stranger.id);
  const { browser, csrf, verifier, linkUrl } = await interactionAwaitingLink(f.kl, f.client, upstream, account.id, {
    subject: 'passkey-linker', email: f.user.email, emailVerified: true, claims: {},
  });
  expect((await browser.get(linkUrl)).text).toContain('data-passkey-url="/interaction/');

  const tryWith = async (passkey: SoftwarePasskey) => {
    const options = await postJson(browser, `${linkUrl}/passkey/options`, { csrf, purpose: 'second-factor' });
    expect(options.status).toBe(200);
    const { challengeId, options: request } = options.json<{ challengeId: string; options: { challenge: string } }>();
    return postJson(browser, `${linkUrl}/passkey`, { csrf, purpose: 'second-factor', challengeId, response: passkey.get(request) });
  };
  expect((await tryWith(strangers)).status).toBe(401);
  expect(await f.kl.store.federatedIdentities.find('acme', 'passkey-linker')).toBeUndefined();

  const linked = await tryWith(own);
  expect(linked.status).toBe(200);
  expect(await f.kl.store.federatedIdentities.find('acme', 'passkey-linker')).toMatchObject({ accountId: account.id });
  const location = new URL(linked.json<{ location: string }>().location, f.kl.url).href;
  const callback = new URL((await continueSignIn(f.kl, browser, await browser.get(location), f.user)).location!);
  const tokens = await exchangeCode(f.kl, f.client, { code: callback.searchParams.get('code')!, verifier });
  expect(decodeJwt(String(tokens.body.id_token)).amr).toEqual(expect.arrayContaining(['fed', 'hwk']));
});
