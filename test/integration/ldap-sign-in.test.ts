import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { ALICE, addDirectoryUpstream, codeAfter, postDirectoryPassword, startInteraction } from '../support/directory-sign-in.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { exchangeCode, registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import { useSlapd, type TestDirectory } from '../support/slapd.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

let directory: TestDirectory;
useSlapd({
  people: [
    { ...ALICE, hashed: true },
    { uid: 'bob', cn: 'Bob Example', mail: 'bob@acme.test', password: 'bob directory secret' },
    { uid: 'carol', cn: 'Carol Example', mail: 'carol@acme.test', password: 'carol directory secret' },
    { uid: 'dave', cn: 'Dave Example', mail: 'dave@acme.test', password: 'dave directory secret' },
  ],
  groups: [{ cn: 'admins', members: ['alice'] }],
}, (started) => { directory = started; });

const LOCK_AFTER = 3;

/**
 * Signing in with a directory password through Keyline's own page, against Debian's real slapd:
 * the account is made (or found) through completeUpstreamSignIn and the client gets its tokens;
 * wrong passwords go through the one credential throttle; a directory that is down is a clear page.
 */
describe.each(backends)('directory (LDAP) sign-in on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  let admin: AdminSession;
  useKeyline(backend, {
    config: { login: { lockAfterFailures: LOCK_AFTER, lockout: 900, backoffAfterFailures: 100, maxBackoff: 60, ipMaxFailures: 1000 } },
  }, async (ready) => {
    ({ kl, client } = ready);
    admin = await AdminSession.open(kl);
    await addDirectoryUpstream(admin, directory);
    await addDirectoryUpstream(admin, directory, { id: 'strict', name: 'Strict directory', provisioning: 'deny' });
  });

  test('the directory page names the directory, keeps the typed address and leads back to the other ways in', async () => {
    const start = await startInteraction(kl, client);
    const page = await start.browser.get(`${kl.url}/interaction/${start.uid}/upstream/acme?login_hint=${encodeURIComponent('alice@acme.test')}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sign in with your Acme directory account');
    expect(page.text).toContain('value="alice@acme.test"');
    expect(page.text).toContain(`action="/interaction/${start.uid}/upstream/acme/password"`);
    expect(page.text).toContain(`href="/interaction/${start.uid}"`);
    expect(page.text).not.toContain(directory.servicePassword);
  });

  test('the first sign-in makes the account through the upstream\'s provisioning, the next finds it; the client gets tokens', async () => {
    const start = await startInteraction(kl, client);
    const answer = await postDirectoryPassword(kl, start, 'alice@acme.test', 'alice directory secret');
    expect(answer.status).toBe(303);
    const tokens = await exchangeCode(kl, client, { code: await codeAfter(kl, client, start, answer), verifier: start.verifier });
    expect(tokens.status).toBe(200);
    expect(tokens.body.id_token).toEqual(expect.any(String));
    const account = await kl.keyline.accounts.findByEmail('alice@acme.test');
    expect(account).toBeDefined();
    const links = await kl.store.federatedIdentities.listByAccount(account!.id);
    expect(links).toEqual([expect.objectContaining({ upstreamId: 'acme', subject: expect.stringMatching(/^[0-9a-f-]{36}$/) })]);

    const again = await startInteraction(kl, client);
    const second = await postDirectoryPassword(kl, again, 'alice', 'alice directory secret');
    await codeAfter(kl, client, again, second);
    expect(await kl.store.federatedIdentities.listByAccount(account!.id)).toHaveLength(1);
  });

  test('a wrong password and an unknown person get the same page; the throttle refuses after the limit, the right password too', async () => {
    const wrong = await postDirectoryPassword(kl, await startInteraction(kl, client), 'bob', 'not it');
    const unknown = await postDirectoryPassword(kl, await startInteraction(kl, client), 'nobody', 'not it');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    const message = 'The user name or password is not right.';
    expect(wrong.text).toContain(message);
    expect(unknown.text).toContain(message);
    for (let attempt = 1; attempt < LOCK_AFTER; attempt += 1) {
      expect((await postDirectoryPassword(kl, await startInteraction(kl, client), 'bob', `wrong ${attempt}`)).status).toBe(401);
    }
    const refused = await postDirectoryPassword(kl, await startInteraction(kl, client), 'bob', 'bob directory secret');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.text).toContain('Too many failed sign-in attempts');
    // The count is per upstream and what was typed: another person of the directory is not held up.
    const carol = await startInteraction(kl, client);
    expect((await postDirectoryPassword(kl, carol, 'carol', 'carol directory secret')).status).toBe(303);
  });

  test('a directory that is down gets the page again with a clear message and a 503, never a 500; back up, it signs in', async () => {
    await directory.stop();
    try {
      const start = await startInteraction(kl, client);
      const answer = await postDirectoryPassword(kl, start, 'carol', 'carol directory secret');
      expect(answer.status).toBe(503);
      expect(answer.text).toContain('Acme directory cannot be reached right now');
      expect(answer.text).toContain(`href="/interaction/${start.uid}"`);
      expect(answer.text).not.toMatch(/ECONNREFUSED|at .*\.ts:\d+/);
    } finally {
      await directory.start();
    }
    const start = await startInteraction(kl, client);
    expect((await postDirectoryPassword(kl, start, 'carol', 'carol directory secret')).status).toBe(303);
  });

  test('a directory identity the upstream may not turn into an account ends on a refusal, with no account made', async () => {
    const start = await startInteraction(kl, client);
    const answer = await postDirectoryPassword(kl, start, 'dave', 'dave directory secret', { upstream: 'strict' });
    expect(answer.status).toBe(403);
    expect(answer.text).toContain(`/interaction/${start.uid}`);
    expect(answer.text).not.toContain('dave directory secret');
    expect(await kl.keyline.accounts.findByEmail('dave@acme.test')).toBeUndefined();
  });

  test('an upstream the client does not offer or an unknown one has no page and takes no password', async () => {
    const other = await registerTestClient(kl, { upstreams: ['nothing-here'] });
    const start = await startInteraction(kl, other);
    expect((await start.browser.get(`${kl.url}/interaction/${start.uid}/upstream/acme`)).status).toBe(404);
    expect((await postDirectoryPassword(kl, start, 'carol', 'carol directory secret')).status).toBe(404);
    const mine = await startInteraction(kl, client);
    expect((await postDirectoryPassword(kl, mine, 'carol', 'carol directory secret', { upstream: 'unknown' })).status).toBe(404);
    expect((await mine.browser.get(`${kl.url}/interaction/${mine.uid}/upstream/..%2F..%2Fauth`)).status).toBe(404);
  });
});
