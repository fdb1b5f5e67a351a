/**
 * OIDC Back-Channel Logout 1.0 §2.4: a logout token must not contain a nonce, so that an id_token
 * (which has one) can never be passed off as a logout token. A token with a nonce is a 400 and ends nothing.
 */
import { sqliteBackend } from '../support/backends.ts';
import { logoutToken, postLogoutToken, sessionUids, signedInThroughUpstream, useUpstreamLogout } from '../support/upstream-logout.ts';

const setup = useUpstreamLogout(sqliteBackend);

test('a logout token with a nonce is refused', async () => {
  const { kl, client, acme } = setup();
  const login = await signedInThroughUpstream(kl, client, acme);
  const answer = await postLogoutToken(kl, 'acme', await logoutToken(acme, { sub: login.subject, nonce: 'n-0S6_WzA2Mj' }));
  expect(answer.status).toBe(400);
  expect(await answer.json()).toMatchObject({ error: 'invalid_request' });
  expect(await sessionUids(kl, login.user.id)).toHaveLength(1);
});

test('an id_token-shaped token without the logout event is refused', async () => {
  const { kl, client, acme } = setup();
  const login = await signedInThroughUpstream(kl, client, acme);
  const answer = await postLogoutToken(kl, 'acme', await logoutToken(acme, { sub: login.subject, events: undefined }));
  expect(answer.status).toBe(400);
  expect(await sessionUids(kl, login.user.id)).toHaveLength(1);
});
