import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { ALICE, addDirectoryUpstream, codeAfter, postDirectoryPassword, startInteraction } from '../support/directory-sign-in.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import { useSlapd, type TestDirectory } from '../support/slapd.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

let directory: TestDirectory;
useSlapd({
  people: [
    ALICE,
    { uid: 'bob', cn: 'Bob Example', mail: 'bob@acme.test', password: 'bob directory secret' },
  ],
  groups: [{ cn: 'admins', members: ['alice'] }, { cn: 'staff', members: ['alice', 'bob'] }],
}, (started) => { directory = started; });

/**
 * `--map-group`: the directory's groups (found with the group filter) are in the identity's claims
 * as `groups` (their names) and `memberOf` (their DNs); a rule on either makes the person a member
 * of a Keyline group at sign-in (the mapping itself is completeUpstreamSignIn's, owned by the
 * accounts slice).
 */
describe.each(backends)('directory groups mapped to Keyline groups on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {}, async (ready) => {
    ({ kl, client } = ready);
    const now = new Date();
    await kl.store.groups.create({ id: 'grp_ops00000000000000000000', name: 'ops', parentId: null, description: null, createdAt: now, updatedAt: now });
    await kl.store.groups.create({ id: 'grp_everyone000000000000000', name: 'everyone', parentId: null, description: null, createdAt: now, updatedAt: now });
    await addDirectoryUpstream(await AdminSession.open(kl), directory, {
      mapGroups: [{ claim: 'groups', value: 'admins', group: 'ops' }, { claim: 'memberOf', value: directory.groupDnOf('staff'), group: 'everyone' }],
    });
  });

  const signIn = async (username: string, password: string) => {
    const start = await startInteraction(kl, client);
    await codeAfter(kl, client, start, await postDirectoryPassword(kl, start, username, password));
    const account = await kl.keyline.accounts.findByEmail(`${username}@acme.test`);
    return (await kl.store.groups.groupIdsOf(account!.id)).sort();
  };

  test('a group name or a group DN from the directory makes the person a member of the mapped Keyline group', async () => {
    expect(await signIn('alice', 'alice directory secret')).toEqual(['grp_everyone000000000000000', 'grp_ops00000000000000000000']);
    expect(await signIn('bob', 'bob directory secret')).toEqual(['grp_everyone000000000000000']);
  });
});
