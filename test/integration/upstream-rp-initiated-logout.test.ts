/**
 * --upstream-logout: signing out at Keyline (RP-initiated logout) goes on to the end-session
 * endpoint of the upstream the session came through (from its discovery document), with Keyline's
 * client id there and Keyline's /federation/<id>/logged-out as the way back; coming back continues
 * to where Keyline's own logout was going (the client's post-logout redirect URI with its state).
 * Sessions that did not come through such an upstream sign out as before.
 */
import { hiddenField } from '../support/browser-like-client.ts';
import { allBackends } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { signedIn, type SignedIn } from '../support/session-ending-paths.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { runCli } from '../support/run-cli.ts';
import { addOidcUpstream, clientIdAt, sessionUids, signedInThroughUpstream, useUpstreamLogout, type AddedUpstream } from '../support/upstream-logout.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('on $name', (backend) => {
  let quiet: AddedUpstream;
  const setup = useUpstreamLogout(backend, async ({ kl, acme }) => {
    const update = await runCli(kl, ['upstreams', 'update', 'acme', '--upstream-logout']);
    if (update.code !== 0) throw new Error(update.stderr);
    quiet = await addOidcUpstream(kl, acme.op, 'quiet');
  });

  /** The logout confirmation, "Sign out", and the answer (not followed). */
  async function signOut(kl: RunningKeyline, login: SignedIn, params: Record<string, string> = {}) {
    const confirm = await login.browser.get(`${kl.url}/session/end?${new URLSearchParams({ id_token_hint: login.idToken, ...params })}`);
    expect(confirm.status).toBe(200);
    return login.browser.postForm(`${kl.url}/session/end/confirm`, { xsrf: hiddenField(confirm.text, 'xsrf')!, logout: 'yes' });
  }

  test('signing out continues to the upstream\'s end-session endpoint, then back to the client\'s post-logout page', async () => {
    const { kl, client, acme } = setup();
    const login = await signedInThroughUpstream(kl, client, acme);
    const answer = await signOut(kl, login, { post_logout_redirect_uri: 'http://127.0.0.1:9/signed-out', state: 'rp-state' });
    expect(answer.status).toBe(303);
    const atUpstream = new URL(answer.location!);
    expect(`${atUpstream.origin}${atUpstream.pathname}`).toBe(`${acme.op.issuer}/session/end`);
    expect(atUpstream.searchParams.get('client_id')).toBe(clientIdAt('acme'));
    expect(atUpstream.searchParams.get('post_logout_redirect_uri')).toBe(`${kl.url}/federation/acme/logged-out`);
    const state = atUpstream.searchParams.get('state')!;
    expect(state).toMatch(/^[\w-]{32}$/);
    expect(await sessionUids(kl, login.user.id)).toEqual([]);

    const back = await login.browser.get(`${kl.url}/federation/acme/logged-out?state=${state}`);
    expect(back.status).toBe(303);
    expect(back.location).toBe('http://127.0.0.1:9/signed-out?state=rp-state');

    // The way back is used once; a replay, or another upstream's path, lands on Keyline's signed-out page.
    expect((await login.browser.get(`${kl.url}/federation/acme/logged-out?state=${state}`)).location).toBe(`${kl.url}/session/end/success`);
  });

  test('a session through an upstream without --upstream-logout, or a local one, signs out at Keyline only', async () => {
    const { kl, client } = setup();
    for (const login of [await signedInThroughUpstream(kl, client, quiet), await signedIn(kl, client)]) {
      const answer = await signOut(kl, login);
      expect(answer.status).toBe(303);
      expect(answer.location).toBe(`${kl.url}/session/end/success`);
    }
  });
});
