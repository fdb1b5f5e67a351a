import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { ALICE, addDirectoryUpstream, postDirectoryPassword, startInteraction } from '../support/directory-sign-in.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { useSlapd, type TestDirectory } from '../support/slapd.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import type { TestClient } from '../support/oidc-flow.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

let directory: TestDirectory;
useSlapd({
  people: [
    ALICE,
    { uid: 'admin', cn: 'Admin Example', mail: 'admin@acme.test', password: 'admin directory secret' },
  ],
}, (started) => { directory = started; });

/**
 * What a person types goes into the operator's filter as one RFC 4515 assertion value: `*`, `(`,
 * `)`, `\` and NUL are escaped. Unescaped, `alic*` with Alice's password would find Alice and sign
 * in (wildcards let an attacker walk the directory by trial), and `*)(uid=*` or
 * `admin)(|(password=*)` would rewrite the filter. Each is refused, and slapd's own log shows the
 * filter it was sent held the characters escaped.
 */
describe.each(backends)('LDAP filter injection on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {
    config: { login: { lockAfterFailures: 100, lockout: 900, backoffAfterFailures: 100, maxBackoff: 60, ipMaxFailures: 1000 } },
  }, async (ready) => {
    ({ kl, client } = ready);
    await addDirectoryUpstream(await AdminSession.open(kl), directory, { userFilter: '(|(mail={email})(uid={username}))' });
  });

  const attempts: Array<[string, string]> = [
    ['*', 'alice directory secret'],
    ['alic*', 'alice directory secret'],
    ['*lice@acme.test', 'alice directory secret'],
    ['*)(uid=alice', 'alice directory secret'],
    ['*)(uid=*', 'alice directory secret'],
    ['admin)(|(password=*)', 'admin directory secret'],
    ['admin)(|(userPassword=*)', 'admin directory secret'],
    ['ali\\63e', 'alice directory secret'],
    ['alice\u0000', 'alice directory secret'],
    ['alice)\u0000(uid=*', 'alice directory secret'],
    // slapd reads a NUL as the end of the value: escaped or not, it would find alice@acme.test.
    ['alice@acme.test\u0000(uid=admin)', 'alice directory secret'],
  ];

  test.each(attempts)('%j never signs anyone in', async (username, password) => {
    const answer = await postDirectoryPassword(kl, await startInteraction(kl, client), username, password);
    expect(answer.status).toBe(401);
    expect(answer.text).toContain('The user name or password is not right.');
  });

  test('slapd received every typed value escaped, and no bind as anyone it should not have found', async () => {
    const searches = directory.operations().filter((line) => line.includes(' SRCH ') && line.includes(`base="${directory.peopleBase}"`));
    // A value with a control character (NUL) never reaches the directory at all.
    expect(searches.length).toBeGreaterThanOrEqual(attempts.filter(([username]) => !username.includes('\u0000')).length);
    expect(searches.some((line) => line.includes('filter="(|(mail=alic\\2A)(uid=alic\\2A))"'))).toBe(true);
    // Every search is the operator's filter with one value in it: no `(`, `)` or `*` of the person's.
    for (const line of searches) expect(line).toMatch(/filter="\(\|\(mail=([^()*"]*)\)\(uid=\1\)\)"$/);
    const personBinds = directory.operations().filter((line) => / BIND dn="uid=/.test(line));
    expect(personBinds).toEqual([]);
  });
});
