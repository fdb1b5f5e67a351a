/**
 * A logout token the upstream issued to another of its clients (or to Keyline as an issuer, or with
 * Keyline's id among other audiences it does not name exactly) is not for Keyline: 400, nothing ends.
 */
import { sqliteBackend } from '../support/backends.ts';
import { logoutToken, postLogoutToken, sessionUids, signedInThroughUpstream, useUpstreamLogout } from '../support/upstream-logout.ts';

const setup = useUpstreamLogout(sqliteBackend);

test.each([
  ['another client of the upstream', () => 'another-relying-party'],
  ['Keyline\'s issuer URL', () => setup().kl.url],
  ['no audience at all', () => undefined],
])('a logout token for %s is refused', async (_name, audience) => {
  const { kl, client, acme } = setup();
  const login = await signedInThroughUpstream(kl, client, acme);
  const answer = await postLogoutToken(kl, 'acme', await logoutToken(acme, { sub: login.subject, sid: login.upstreamSid, aud: audience() }));
  expect(answer.status).toBe(400);
  expect(await answer.json()).toMatchObject({ error: 'invalid_request' });
  expect(await sessionUids(kl, login.user.id)).toHaveLength(1);
});

test('the same token with Keyline\'s client id as its audience ends the session (the refusals above are about the audience)', async () => {
  const { kl, client, acme } = setup();
  const login = await signedInThroughUpstream(kl, client, acme);
  expect((await postLogoutToken(kl, 'acme', await logoutToken(acme, { sub: login.subject, sid: login.upstreamSid }))).status).toBe(200);
  expect(await sessionUids(kl, login.user.id)).toHaveLength(0);
});
