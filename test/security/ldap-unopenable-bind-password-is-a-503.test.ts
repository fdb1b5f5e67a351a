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
useSlapd({ people: [ALICE] }, (started) => { directory = started; });

/**
 * A bind password this node cannot open (sealed under a secrets key it no longer has, a record
 * copied from another deployment) is the operator's problem, not the person's: the directory page
 * says the directory cannot be reached (a 503) and the log says why. It was a 500.
 */
describe.each(backends)('a bind password that will not open on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {}, async (ready) => {
    ({ kl, client } = ready);
    await addDirectoryUpstream(await AdminSession.open(kl), directory);
    const stored = await kl.store.upstreams.find('acme');
    const sealed = stored!.sealedSecrets.bindPassword!;
    const tampered = `${sealed.slice(0, -4)}${sealed.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    expect(await kl.store.upstreams.replaceSealedSecrets('acme', stored!.sealedSecrets, { bindPassword: tampered })).toBe(true);
  });

  test('the directory page again with a 503, nothing of the secret or the error on it', async () => {
    const answer = await postDirectoryPassword(kl, await startInteraction(kl, client), ALICE.mail, ALICE.password);
    expect(answer.status).toBe(503);
    expect(answer.text).toContain('cannot be reached right now');
    expect(answer.text).not.toMatch(/decrypt|cipher|auth(entication)? tag|stack/i);
  });
});
