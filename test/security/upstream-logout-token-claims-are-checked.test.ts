/**
 * The rest of a logout token's claims: a stale iat, an iat in the future, neither sub nor sid, no
 * jti, the wrong issuer, a malformed body. Each is a 400 invalid_request (JSON whatever Accept says),
 * and nothing ends.
 */
import { sqliteBackend } from '../support/backends.ts';
import { runCli } from '../support/run-cli.ts';
import {
  addOidcUpstream, logoutToken, postLogoutToken, sessionUids, signedInThroughUpstream, useUpstreamLogout, type AddedUpstream,
} from '../support/upstream-logout.ts';

let dormant: AddedUpstream;
const setup = useUpstreamLogout(sqliteBackend, async ({ kl, acme }) => {
  // Disabled before any request has read the upstreams, so no node can have it cached as enabled.
  dormant = await addOidcUpstream(kl, acme.op, 'dormant');
  const disabled = await runCli(kl, ['upstreams', 'update', 'dormant', '--disabled']);
  if (disabled.code !== 0) throw new Error(disabled.stderr);
});
const now = () => Math.floor(Date.now() / 1000);

test.each([
  ['issued an hour ago', { iat: now() - 3600, exp: now() + 60 }],
  ['issued in an hour', { iat: now() + 3600 }],
  ['naming neither sub nor sid', { sub: undefined, sid: undefined }],
  ['without a jti', { jti: undefined }],
  ['from another issuer', { iss: 'https://elsewhere.example' }],
])('a logout token %s is refused', async (_name, claims) => {
  const { kl, client, acme } = setup();
  const login = await signedInThroughUpstream(kl, client, acme);
  const answer = await postLogoutToken(kl, 'acme', await logoutToken(acme, { sub: login.subject, sid: login.upstreamSid, ...claims }));
  expect(answer.status).toBe(400);
  expect(await answer.json()).toMatchObject({ error: 'invalid_request' });
  expect(await sessionUids(kl, login.user.id)).toHaveLength(1);
});

test.each([
  ['no logout_token', 'application/x-www-form-urlencoded', 'something=else'],
  ['two logout_tokens', 'application/x-www-form-urlencoded', 'logout_token=a&logout_token=b'],
  ['JSON instead of a form', 'application/json', '{"logout_token":"x"}'],
  ['garbage for a token', 'application/x-www-form-urlencoded', 'logout_token=%00%ff.not.a.jwt'],
  ['a body over the limit', 'application/x-www-form-urlencoded', `logout_token=${'a'.repeat(64 * 1024)}`],
])('%s is a 400 in JSON, even to a browser', async (_name, type, body) => {
  const { kl } = setup();
  const answer = await fetch(`${kl.url}/federation/acme/backchannel-logout`, { method: 'POST', headers: { 'content-type': type, accept: 'text/html' }, body });
  expect(answer.status).toBe(400);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await answer.json()).toMatchObject({ error: 'invalid_request' });
});

test('an upstream that does not exist, and one that is disabled, take no logout tokens', async () => {
  const { kl, client } = setup();
  const login = await signedInThroughUpstream(kl, client, dormant);
  const token = await logoutToken(dormant, { sub: login.subject });
  expect((await postLogoutToken(kl, 'nobody', token)).status).toBe(400);
  expect((await postLogoutToken(kl, 'dormant', token)).status).toBe(400);
  expect(await sessionUids(kl, login.user.id)).toHaveLength(1);
});
