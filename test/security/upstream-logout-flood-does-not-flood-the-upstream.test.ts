/**
 * Anyone can post to /federation/<id>/backchannel-logout, so what a post makes Keyline fetch from
 * the upstream must not grow with the posts: the discovery document and the key set are fetched
 * once and then at most once per cooldown, whatever kid a forged token names, and also while the
 * upstream is failing. Found in the attacker review of fed-logout: a failed discovery or key-set
 * fetch was forgotten at once, so every post (20 posts: 20 fetches) went out again to an upstream
 * already in trouble, each holding a Keyline connection up to the outbound timeout.
 * The upstream here is a small counting server on 127.0.0.1 standing in for a provider's discovery
 * document and key set, healthy or answering 503.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, type CryptoKey } from 'jose';
import { sqliteBackend } from '../support/backends.ts';
import { addCountingUpstreams, closeCountingUpstreams, type CountingUpstream } from '../support/counting-upstream.ts';
import { BACKCHANNEL_LOGOUT_EVENT, postLogoutToken, useUpstreamLogout } from '../support/upstream-logout.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

let key: CryptoKey;
const upstreams: Record<string, CountingUpstream> = {};
const setup = useUpstreamLogout(sqliteBackend, async ({ kl }) => {
  key = await addCountingUpstreams(kl, {
    healthy: { discovery: true, jwks: true }, 'no-discovery': { discovery: false, jwks: true }, 'no-keys': { discovery: true, jwks: false },
  }, upstreams);
});
afterAll(() => closeCountingUpstreams(upstreams));

function token(id: string, kid: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: upstreams[id]!.issuer, aud: `keyline-${id}`, iat: now, jti: randomUUID(), sub: 'someone', events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'logout+jwt' }).sign(key);
}

/** 20 posts one after the other, then 20 at once, each with a kid the upstream never published. */
async function flood(kl: RunningKeyline, id: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let post = 0; post < 20; post += 1) statuses.push((await postLogoutToken(kl, id, await token(id, randomUUID()))).status);
  const tokens = await Promise.all(Array.from({ length: 20 }, () => token(id, randomUUID())));
  statuses.push(...(await Promise.all(tokens.map((made) => postLogoutToken(kl, id, made)))).map((answer) => answer.status));
  return statuses;
}

test('made-up kids against a healthy upstream: one discovery fetch and one key-set fetch', async () => {
  const { kl } = setup();
  expect(new Set(await flood(kl, 'healthy'))).toEqual(new Set([400]));
  expect(upstreams.healthy!.fetches).toEqual({ '/.well-known/openid-configuration': 1, '/jwks': 1 });
  // The real key still works: its logout token is taken.
  expect((await postLogoutToken(kl, 'healthy', await token('healthy', 'the-real-kid'))).status).toBe(200);
});

test('an upstream whose discovery document fails is asked once, not once per post', async () => {
  const { kl } = setup();
  expect(new Set(await flood(kl, 'no-discovery'))).toEqual(new Set([400]));
  expect(upstreams['no-discovery']!.fetches).toEqual({ '/.well-known/openid-configuration': 1 });
});

test('an upstream whose key set fails is asked once, not once per post', async () => {
  const { kl } = setup();
  expect(new Set(await flood(kl, 'no-keys'))).toEqual(new Set([400]));
  expect(upstreams['no-keys']!.fetches).toEqual({ '/.well-known/openid-configuration': 1, '/jwks': 1 });
});
