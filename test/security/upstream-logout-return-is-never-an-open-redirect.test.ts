/**
 * /federation/<id>/logged-out (where an upstream's end-session endpoint sends the browser back)
 * only ever continues to the place Keyline's own logout chose, kept server-side under the state it
 * sent, for that upstream, once. Another upstream's path, a made-up state, a destination in the
 * query, or a second use all land on Keyline's signed-out page.
 */
import { hiddenField } from '../support/browser-like-client.ts';
import { allBackends } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { runCli } from '../support/run-cli.ts';
import { addOidcUpstream, signedInThroughUpstream, useUpstreamLogout } from '../support/upstream-logout.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('on $name', (backend) => {
  const setup = useUpstreamLogout(backend, async ({ kl, acme }) => {
    for (const id of ['acme', 'other']) {
      if (id === 'other') await addOidcUpstream(kl, acme.op, 'other');
      const update = await runCli(kl, ['upstreams', 'update', id, '--upstream-logout']);
      if (update.code !== 0) throw new Error(update.stderr);
    }
  });

  test('the way back belongs to its upstream and its state, once', async () => {
    const { kl, client, acme } = setup();
    const login = await signedInThroughUpstream(kl, client, acme);
    const confirm = await login.browser.get(`${kl.url}/session/end?${new URLSearchParams({
      id_token_hint: login.idToken, post_logout_redirect_uri: 'http://127.0.0.1:9/signed-out', state: 'rp-state',
    })}`);
    const answer = await login.browser.postForm(`${kl.url}/session/end/confirm`, { xsrf: hiddenField(confirm.text, 'xsrf')!, logout: 'yes' });
    const state = new URL(answer.location!).searchParams.get('state')!;

    for (const path of [
      `/federation/other/logged-out?state=${state}`,
      '/federation/acme/logged-out?state=made-up',
      '/federation/acme/logged-out',
      '/federation/acme/logged-out?then=https://evil.example&post_logout_redirect_uri=https://evil.example',
      `/federation/acme/logged-out?state=${state}x`,
    ]) {
      const away = await fetch(`${kl.url}${path}`, { redirect: 'manual' });
      expect([path, away.status, away.headers.get('location')]).toEqual([path, 303, `${kl.url}/session/end/success`]);
    }
    const [first, second] = await Promise.all([1, 2].map(() => fetch(`${kl.url}/federation/acme/logged-out?state=${state}`, { redirect: 'manual' })));
    expect([first!.headers.get('location'), second!.headers.get('location')].sort()).toEqual([`${kl.url}/session/end/success`, 'http://127.0.0.1:9/signed-out?state=rp-state'].sort());
  });
});
