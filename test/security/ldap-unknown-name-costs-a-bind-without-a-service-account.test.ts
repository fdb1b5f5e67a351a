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
useSlapd({ people: [ALICE], groups: [{ cn: 'staff', members: ['alice'] }], anonymousSearch: true }, (started) => { directory = started; });

/** The binds and searches slapd was asked for, in order, from its own log. */
function operationsSince(from: number): string[] {
  return directory.operations().slice(from).flatMap((line) => / op=\d+ (BIND|SRCH)\b/.exec(line)?.[1] ?? []);
}

/**
 * Without a service account (a directory anyone may search), a known name with a wrong password
 * cost the directory a bind, an unknown name none: a round trip fewer, which tells who has an
 * entry by how long the answer takes. An unknown name now costs the directory what a known one does.
 */
describe.each(backends)('an unknown name without a service account on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {
    config: { login: { lockAfterFailures: 100, lockout: 900, backoffAfterFailures: 100, maxBackoff: 60, ipMaxFailures: 1000 } },
  }, async (ready) => {
    ({ kl, client } = ready);
    await addDirectoryUpstream(await AdminSession.open(kl), directory, { bindDn: undefined, bindPassword: undefined });
  });

  test('the directory is asked the same things for a known and an unknown name', async () => {
    const right = await postDirectoryPassword(kl, await startInteraction(kl, client), ALICE.mail, ALICE.password);
    expect(right.status).toBe(303);

    let from = directory.operations().length;
    const known = await postDirectoryPassword(kl, await startInteraction(kl, client), ALICE.mail, 'a wrong password');
    const knownOperations = operationsSince(from);
    from = directory.operations().length;
    const unknown = await postDirectoryPassword(kl, await startInteraction(kl, client), 'nobody@acme.test', 'a wrong password');
    const unknownOperations = operationsSince(from);

    expect([known.status, unknown.status]).toEqual([401, 401]);
    for (const answer of [known, unknown]) expect(answer.text).toContain('The user name or password is not right.');
    expect(knownOperations).toContain('BIND');
    expect(unknownOperations).toEqual(knownOperations);
  });
});
