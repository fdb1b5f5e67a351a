import { decodeJwt } from 'jose';
import { upstreamCallbackUrl } from '../../src/federation/start-upstream-step.ts';
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { exchangeCode, type TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { startUpstreamOp, type Misbehaviour, type UpstreamOp } from '../support/upstream-op.ts';
import { addRedirectUpstream, backToKeyline, pressUpstreamButton, signInThroughUpstream, throughUpstream } from '../support/upstream-sign-in.ts';

/**
 * Signing in through an OpenID Connect upstream, end to end over HTTP: a real Keyline, and a
 * stand-in upstream OpenID Provider (the bare oidc-provider library) it discovers, sends the
 * browser to, and exchanges the code with. The downstream client gets its tokens; an upstream that
 * answers with another issuer, signs with a key it does not publish or gets the nonce wrong is refused,
 * and so is an answer used twice, or one for another upstream (mix-up).
 */
let kl: RunningKeyline;
let client: TestClient;
let acme: UpstreamOp;
let other: UpstreamOp;

const ALICE = { sub: 'alice-at-acme', claims: { email: 'alice@acme.test', email_verified: true, name: 'Alice Acme' } };

useKeyline(sqliteBackend, { config: { outbound: { allowPrivateNetworks: true } } }, async (ready) => {
  ({ kl, client } = ready);
  const opFor = (id: string) => startUpstreamOp({
    clients: [{ client_id: `keyline-${id}`, client_secret: `secret-${id}`, redirect_uris: [upstreamCallbackUrl(kl.url, id)] }],
    accounts: [ALICE],
  });
  acme = await opFor('acme');
  other = await opFor('other');
  for (const [id, op] of [['acme', acme], ['other', other]] as const) {
    await addRedirectUpstream(kl, { id, settings: { issuer: op.issuer, clientId: `keyline-${id}`, scopes: ['openid', 'email', 'profile'] } }, { clientSecret: `secret-${id}` });
    op.signInAs(ALICE.sub);
  }
});
afterAll(async () => {
  await acme?.close();
  await other?.close();
});
afterEach(() => {
  acme.behave();
  other.behave();
});

test('a first sign-in through the upstream signs in, and the client gets tokens for the account it made', async () => {
  const { final, code, verifier } = await signInThroughUpstream(kl, client, 'acme', acme.issuer);
  expect(code).not.toBeNull();
  expect(final.location).toContain(client.redirectUri);
  const tokens = await exchangeCode(kl, client, { code: code!, verifier });
  expect(tokens.status).toBe(200);
  const account = await kl.store.accounts.findByEmail('alice@acme.test');
  expect(account).toBeDefined();
  expect(decodeJwt(String(tokens.body.id_token)).sub).toBe(account!.id);
  expect(await kl.store.federatedIdentities.find('acme', ALICE.sub)).toMatchObject({ accountId: account!.id });
  // The id_token had no email (oidc-provider keeps scope claims in userinfo): userinfo was asked, with the access token.
  expect(acme.idTokens.at(-1)!.email).toBeUndefined();
  // The client secret went as client_secret_basic, opened for the request and sent only to the upstream.
  expect(acme.tokenRequests.at(-1)!.authorization).toMatch(/^Basic /);
  expect(acme.tokenRequests.at(-1)!.form).toMatchObject({ grant_type: 'authorization_code' });
  expect(acme.tokenRequests.at(-1)!.form.code_verifier).toBeDefined();
  expect(kl.logs.join('\n')).not.toContain('secret-acme');
});

test.each<[string, Misbehaviour, RegExp]>([
  ['another issuer in the authorization response (RFC 9207)', { authorizationIss: 'https://elsewhere.example' }, /code exchange: invalid response/],
  ['no iss in the authorization response of an upstream that advertises it', { authorizationIss: null }, /code exchange: invalid response/],
  ['an id_token from another issuer', { idTokenIss: 'https://elsewhere.example' }, /code exchange: unexpected JWT claim/],
  ['an id_token for another client', { idTokenAud: 'someone-else' }, /code exchange: unexpected JWT claim/],
  ['an id_token signed with a key the upstream does not publish', { foreignKey: true }, /id_token: signature verification failed/],
  ['an id_token without the nonce', { idTokenNonce: null }, /code exchange: invalid response/],
  ['an id_token with another nonce', { idTokenNonce: 'a-nonce-keyline-never-sent' }, /code exchange: unexpected JWT claim/],
])('refused: %s — Keyline\'s own error page, no code, no account', async (_name, misbehaviour, reason) => {
  acme.misbehave(misbehaviour);
  const logged = kl.logs.length;
  const before = acme.idTokens.length;
  const { final, code } = await signInThroughUpstream(kl, client, 'acme', acme.issuer);
  expect(code).toBeNull();
  expect(final.status).toBe(502);
  expect(final.text).toContain('/interaction/');
  expect(final.text).not.toContain('elsewhere.example');
  // Refused before any account step: the token endpoint may have been reached, nothing more.
  expect(acme.idTokens.length - before).toBeLessThanOrEqual(1);
  const failure = kl.logs.slice(logged).map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.event === 'federation.upstream_failed');
  expect(failure).toMatchObject({ upstream: 'acme', failure: 'invalid_response' });
  expect(String(failure!.reason)).toMatch(reason);
});

test('an answer used twice continues once: the replay finds no sign-in in progress', async () => {
  const { browser, started } = await pressUpstreamButton(kl, client, 'acme');
  const answer = await throughUpstream(browser, acme.issuer, started);
  const first = await backToKeyline(kl, browser, answer);
  expect(first.location).toContain(client.redirectUri);
  const replay = await browser.get(answer.location!);
  expect(replay.status).toBe(400);
});

test('mix-up: an upstream that answers with the other upstream\'s issuer is refused', async () => {
  other.misbehave({ authorizationIss: acme.issuer, idTokenIss: acme.issuer });
  const { final, code } = await signInThroughUpstream(kl, client, 'other', other.issuer);
  expect(code).toBeNull();
  expect(final.status).toBe(502);
});

test('mix-up: an answer meant for one upstream, delivered to the other\'s callback, is refused', async () => {
  const { browser, started } = await pressUpstreamButton(kl, client, 'other');
  const answer = await throughUpstream(browser, other.issuer, started);
  const diverted = answer.location!.replace('/federation/other/', '/federation/acme/');
  const response = await browser.get(diverted);
  expect(response.status).toBe(400);
  expect(response.location).toBeUndefined();
});

test('the upstream says no: Keyline\'s own page says so, with the way back', async () => {
  acme.denyNext('Alice pressed cancel');
  const { final, code } = await signInThroughUpstream(kl, client, 'acme', acme.issuer);
  acme.signInAs(ALICE.sub);
  expect(code).toBeNull();
  expect(final.status).toBe(403);
  expect(final.text).not.toContain('Alice pressed cancel');
});
