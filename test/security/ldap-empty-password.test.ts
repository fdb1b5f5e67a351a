import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { ALICE, addDirectoryUpstream, postDirectoryPassword, startInteraction } from '../support/directory-sign-in.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import { useSlapd, type TestDirectory } from '../support/slapd.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

let directory: TestDirectory;
// Set up as Active Directory (and slapd with `allow bind_anon_dn`) behave: a DN with an empty
// password is an "unauthenticated bind" (RFC 4513 5.1.2) that succeeds, as nobody.
useSlapd({
  people: [ALICE],
  unauthenticatedBind: true,
}, (started) => { directory = started; });

/**
 * A bind succeeding is how a directory says "right password": an empty one would sign in anyone
 * whose address is known. It is refused before anything reaches the directory.
 */
describe.each(backends)('an empty directory password on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {}, async (ready) => {
    ({ kl, client } = ready);
    await addDirectoryUpstream(await AdminSession.open(kl), directory);
  });

  test('the directory really would take it', async () => {
    const { Client } = await import('ldapts');
    const ldap = new Client({ url: directory.url });
    await expect(ldap.bind(directory.dnOf('alice'), '')).resolves.toBeUndefined();
    await ldap.unbind();
  });

  test('an empty or missing password never binds and never signs in', async () => {
    const before = directory.operations().length;
    const empty = await postDirectoryPassword(kl, await startInteraction(kl, client), 'alice@acme.test', '');
    const start = await startInteraction(kl, client);
    const missing = await start.browser.postForm(`${kl.url}/interaction/${start.uid}/upstream/acme/password`, { username: 'alice', csrf: start.csrf });
    expect([empty.status, missing.status]).toEqual([401, 401]);
    expect(empty.text).toContain('The user name or password is not right.');
    expect(directory.operations().slice(before).filter((line) => line.includes(` BIND dn="${directory.dnOf('alice')}"`))).toEqual([]);
    expect(await kl.keyline.accounts.findByEmail('alice@acme.test')).toBeUndefined();
  });
});
