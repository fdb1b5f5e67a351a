import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { ALICE, addDirectoryUpstream, postDirectoryPassword, startInteraction } from '../support/directory-sign-in.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import { useSlapd, type TestDirectory } from '../support/slapd.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

let directory: TestDirectory;
useSlapd({ people: [ALICE] }, (started) => { directory = started; });

/**
 * The identifier-first form and the directory password form are interaction forms like the others:
 * a post needs this browser's interaction (its cookie) and that interaction's CSRF token. Login
 * CSRF would otherwise sign a victim's browser into the attacker's directory account, and a forged
 * uid would run someone else's sign-in.
 */
describe.each(backends)('identify and directory forms on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {}, async (ready) => {
    kl = ready.kl;
    await addDirectoryUpstream(await AdminSession.open(kl), directory, { domains: ['acme.test'] });
    client = await registerTestClient(kl, { upstreams: ['acme'] });
  });

  test('without a CSRF token, or with another interaction\'s, both are refused with a 403', async () => {
    const victim = await startInteraction(kl, client);
    const attacker = await startInteraction(kl, client);
    for (const csrf of ['', attacker.csrf]) {
      const identify = await victim.browser.postForm(`${kl.url}/interaction/${victim.uid}/identify`, { email: 'alice@acme.test', ...(csrf ? { csrf } : {}) });
      expect(identify.status).toBe(403);
      expect((await postDirectoryPassword(kl, victim, 'alice', 'alice directory secret', { csrf })).status).toBe(403);
    }
  });

  test('another browser\'s interaction id is refused, with or without its token', async () => {
    const owner = await startInteraction(kl, client);
    const stranger = await startInteraction(kl, client);
    const forged = { ...stranger, uid: owner.uid };
    for (const csrf of [owner.csrf, stranger.csrf]) {
      expect((await stranger.browser.postForm(`${kl.url}/interaction/${owner.uid}/identify`, { email: 'alice@acme.test', csrf })).status).toBe(400);
      expect((await postDirectoryPassword(kl, forged, 'alice', 'alice directory secret', { csrf })).status).toBe(400);
    }
    expect((await stranger.browser.get(`${kl.url}/interaction/${owner.uid}/upstream/acme`)).status).toBe(400);
    expect((await stranger.browser.get(`${kl.url}/interaction/made-up-uid/upstream/acme`)).status).toBeGreaterThanOrEqual(400);
    expect((await stranger.browser.get(`${kl.url}/interaction/made-up-uid/upstream/acme`)).status).toBeLessThan(500);
  });

  test('hostile form input is a clear 4xx or the page again, never a 500', async () => {
    const start = await startInteraction(kl, client);
    const long = 'a'.repeat(5000);
    for (const email of [long, `${long}@acme.test`, '@acme.test', 'x@', '\u0000@acme.test', '']) {
      const answer = await start.browser.postForm(`${kl.url}/interaction/${start.uid}/identify`, { email, csrf: start.csrf });
      expect(answer.status).toBeLessThan(500);
    }
    for (const [username, password] of [[long, long], ['alice', 'x'.repeat(10_000)], ['\u0000', 'x'], ['', '']]) {
      expect((await postDirectoryPassword(kl, start, username!, password!)).status).toBe(401);
    }
    const json = await start.browser.request(`${kl.url}/interaction/${start.uid}/upstream/acme/password`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'alice directory secret', csrf: start.csrf }),
    });
    expect(json.status).toBe(415);
  });
});
