import { createLocalJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { startUpstreamOp, type UpstreamOp } from '../support/upstream-op.ts';

/** The stand-in upstream itself: a relying party (openid-client) gets through it, and its misbehaviours are what they say. */
const REDIRECT = 'http://127.0.0.1:9/rp/callback';
let op: UpstreamOp;

beforeAll(async () => {
  op = await startUpstreamOp({
    clients: [{ client_id: 'rp', client_secret: 'rp-secret', redirect_uris: [REDIRECT] }],
    accounts: [{ sub: 'alice', claims: { email: 'alice@upstream.test', email_verified: true, name: 'Alice' }, sid: 'upstream-session-1' }],
  });
});
afterAll(() => op.close());
afterEach(() => op.behave());

async function authorize(): Promise<{ config: client.Configuration; callback: URL; nonce: string; verifier: string; state: string }> {
  const config = await client.discovery(new URL(op.issuer), 'rp', 'rp-secret', undefined, { execute: [client.allowInsecureRequests] });
  const verifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const browser = new BrowserLikeClient();
  op.signInAs('alice');
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT, scope: 'openid email', state, nonce, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const answer = await browser.followWithin(op.issuer, await browser.get(url.href));
  return { config, callback: new URL(answer.location!), nonce, verifier, state };
}

test('a relying party signs alice in; the id_token carries her sid and userinfo her email', async () => {
  const { config, callback, nonce, verifier, state } = await authorize();
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
  expect(tokens.claims()).toMatchObject({ sub: 'alice', sid: 'upstream-session-1', iss: op.issuer });
  expect(await client.fetchUserInfo(config, tokens.access_token, 'alice')).toMatchObject({ email: 'alice@upstream.test', email_verified: true });
  expect(op.tokenRequests.at(-1)!.form).toMatchObject({ client_id: 'rp', client_secret: 'rp-secret' });
  await expect(jwtVerify(tokens.id_token!, createLocalJWKSet(op.jwks))).resolves.toBeDefined();
});

// openid-client does not check the signature of an id_token from the token endpoint (OIDC Core 3.1.3.7 lets it): Keyline's connector does.
test('foreignKey signs the id_token with a key its JWKS does not have', async () => {
  op.misbehave({ foreignKey: true });
  const { config, callback, nonce, verifier, state } = await authorize();
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true });
  await expect(jwtVerify(tokens.id_token!, createLocalJWKSet(op.jwks))).rejects.toThrow(/signature/);
});

test.each([
  ['another issuer in the authorization response', { authorizationIss: 'https://other.example' }],
  ['an id_token without the nonce', { idTokenNonce: null }],
  ['an id_token from another issuer', { idTokenIss: 'https://other.example' }],
])('misbehaviour: %s is refused by a certified relying party', async (_name, misbehaviour) => {
  op.misbehave(misbehaviour);
  const { config, callback, nonce, verifier, state } = await authorize();
  await expect(client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true }))
    .rejects.toThrow();
});

test('denyNext ends the authorization with access_denied', async () => {
  const browser = new BrowserLikeClient();
  const config = await client.discovery(new URL(op.issuer), 'rp', 'rp-secret', undefined, { execute: [client.allowInsecureRequests] });
  op.denyNext('no <b>thanks</b>');
  const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', state: 's', code_challenge: await client.calculatePKCECodeChallenge('v'.repeat(43)), code_challenge_method: 'S256' });
  const answer = await browser.followWithin(op.issuer, await browser.get(url.href));
  expect(new URL(answer.location!).searchParams.get('error')).toBe('access_denied');
});
