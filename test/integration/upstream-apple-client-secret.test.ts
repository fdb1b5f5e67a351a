import { decodeProtectedHeader, exportPKCS8, generateKeyPair, jwtVerify, type CryptoKey } from 'jose';
import { PRESETS } from '../../src/federation/presets.ts';
import { upstreamCallbackUrl } from '../../src/federation/start-upstream-step.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { startUpstreamOp, type UpstreamOp } from '../support/upstream-op.ts';
import { addRedirectUpstream, pressUpstreamButton, throughUpstream } from '../support/upstream-sign-in.ts';

/**
 * Sign in with Apple, from the apple preset, against the stand-in upstream OpenID Provider playing
 * appleid.apple.com: the answer is posted back (form_post) and the client secret Keyline sends is a
 * fresh ES256 JWT signed with the operator's key: iss the team id, sub the Services ID, aud Apple,
 * kid the key id, short-lived. Apple sends email_verified as the string "true".
 */
let kl: RunningKeyline;
let client: TestClient;
let apple: UpstreamOp;
const TEAM = 'TEAM123456';
const KEY_ID = 'KEY9876543';
const SERVICES_ID = 'com.example.keyline';
let publicKey: CryptoKey;

useKeyline(sqliteBackend, { config: { outbound: { allowPrivateNetworks: true } } }, async (ready) => {
  ({ kl, client } = ready);
  const pair = await generateKeyPair('ES256', { extractable: true });
  publicKey = pair.publicKey;
  apple = await startUpstreamOp({
    clients: [{ client_id: SERVICES_ID, redirect_uris: [upstreamCallbackUrl(kl.url, 'apple')], jwtSecretKey: pair.publicKey }],
    accounts: [{ sub: '001234.abcd.0987', claims: { email: 'x7k2@privaterelay.appleid.com', email_verified: 'true' } }],
    idTokenClaims: 'all',
    scopes: ['name'],
  });
  apple.signInAs('001234.abcd.0987');
  await addRedirectUpstream(kl, {
    id: 'apple', preset: 'apple', mapping: { claims: PRESETS.apple.mapping, groups: [] },
    settings: { ...PRESETS.apple.settings, issuer: apple.issuer, claims: PRESETS.apple.claims, clientId: SERVICES_ID, appleTeamId: TEAM, appleKeyId: KEY_ID, scopes: ['openid', 'email'] },
  }, { privateKey: await exportPKCS8(pair.privateKey) });
});
afterAll(() => apple?.close());

test('the answer is posted back, and the client secret is the JWT Apple asks for', async () => {
  const { browser, started } = await pressUpstreamButton(kl, client, 'apple');
  expect(new URL(started.location!).searchParams.get('response_mode')).toBe('form_post');
  const posted = await throughUpstream(browser, apple.issuer, started);
  // form_post: a page whose form the browser submits to Keyline's callback.
  const action = /<form method="post" action="([^"]+)"/.exec(posted.text)?.[1];
  expect(action).toBe(upstreamCallbackUrl(kl.url, 'apple'));
  const fields = Object.fromEntries(['code', 'state', 'iss'].map((name) => [name, hiddenField(posted.text, name) ?? '']));
  const handedOver = await browser.postForm(action!, fields);
  expect(handedOver.status).toBe(303);
  const final = await browser.followWithin(kl.url, await browser.get(handedOver.location!));
  // Signed in: the consent page of the downstream client follows.
  expect(final.text).toContain('/confirm');

  const secret = apple.tokenRequests.at(-1)!.form.client_secret!;
  expect(apple.tokenRequests.at(-1)!.form.client_id).toBe(SERVICES_ID);
  expect(decodeProtectedHeader(secret)).toMatchObject({ alg: 'ES256', kid: KEY_ID });
  const { payload } = await jwtVerify(secret, publicKey, { issuer: TEAM, subject: SERVICES_ID, audience: 'https://appleid.apple.com' });
  expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(15_777_000);
  const link = await kl.store.federatedIdentities.find('apple', '001234.abcd.0987');
  expect((await kl.store.accounts.findById(link!.accountId))).toMatchObject({ email: 'x7k2@privaterelay.appleid.com', emailVerified: true });
});
