/**
 * Sign-in and the logout receivers read an upstream's discovery document and key set through one
 * cache (`UpstreamKeys`), so its protections hold for sign-in too. Found when the two caches were
 * made one: the oidc connector kept its own copy, which forgot a failed discovery at once, so every
 * press of an upstream's button (anyone may press it, 10 presses: 10 fetches) went out again to an
 * upstream already in trouble; and a sign-in and a logout token fetched the same document twice.
 * The upstream here is a small counting server on 127.0.0.1, healthy or answering 503.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, type CryptoKey } from 'jose';
import { sqliteBackend } from '../support/backends.ts';
import { addCountingUpstreams, closeCountingUpstreams, type CountingUpstream } from '../support/counting-upstream.ts';
import { BACKCHANNEL_LOGOUT_EVENT, postLogoutToken, useUpstreamLogout } from '../support/upstream-logout.ts';
import { pressUpstreamButton } from '../support/upstream-sign-in.ts';

let key: CryptoKey;
const upstreams: Record<string, CountingUpstream> = {};
const setup = useUpstreamLogout(sqliteBackend, async ({ kl }) => {
  key = await addCountingUpstreams(kl, { healthy: { discovery: true, jwks: true }, failing: { discovery: false, jwks: false } }, upstreams);
});
afterAll(() => closeCountingUpstreams(upstreams));

test('pressing the button of an upstream whose discovery fails asks it once, not once per press', async () => {
  const { kl, client } = setup();
  for (let press = 0; press < 10; press += 1) {
    const { started } = await pressUpstreamButton(kl, client, 'failing');
    expect(started.status).toBe(502);
  }
  expect(upstreams.failing!.fetches).toEqual({ '/.well-known/openid-configuration': 1 });
});

test('a sign-in and a logout token of one upstream read one discovery document', async () => {
  const { kl, client } = setup();
  const { started } = await pressUpstreamButton(kl, client, 'healthy');
  expect(started.status).toBe(303);
  expect(started.location).toMatch(new RegExp(`^${upstreams.healthy!.issuer}/auth\\?`));
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ iss: upstreams.healthy!.issuer, aud: 'keyline-healthy', iat: now, jti: randomUUID(), sub: 'someone', events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } })
    .setProtectedHeader({ alg: 'RS256', kid: 'the-real-kid', typ: 'logout+jwt' }).sign(key);
  expect((await postLogoutToken(kl, 'healthy', token)).status).toBe(200);
  expect(upstreams.healthy!.fetches).toEqual({ '/.well-known/openid-configuration': 1, '/jwks': 1 });
});
