import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { addDirectoryUpstream, ALICE, postDirectoryPassword, startInteraction } from '../support/directory-sign-in.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import { useSlapd, type TestDirectory } from '../support/slapd.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

let directory: TestDirectory;
useSlapd({ people: [ALICE] }, (started) => { directory = started; });

const LOCK_AFTER = 3;
const AT_ONCE = 20;

/**
 * The throttle counts a directory password before the directory sees it: twenty guesses sent at
 * once from one address get exactly the limit's worth of binds at the directory, the rest a 429
 * that checked nothing (slapd's own log counts the binds).
 */
describe.each(backends)('directory guesses sent at once on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {
    config: { login: { lockAfterFailures: LOCK_AFTER, lockout: 900, backoffAfterFailures: 1000, maxBackoff: 60, ipMaxFailures: 1000 } },
  }, async (ready) => {
    ({ kl, client } = ready);
    await addDirectoryUpstream(await AdminSession.open(kl), directory);
  });

  test(`${AT_ONCE} wrong passwords at once: ${LOCK_AFTER} reach the directory, the others are refused unchecked`, async () => {
    const starts = await Promise.all(Array.from({ length: AT_ONCE }, () => startInteraction(kl, client)));
    const before = directory.operations().length;
    const answers = await Promise.all(starts.map((start, index) => postDirectoryPassword(kl, start, ALICE.mail, `guess ${index}`)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([...Array(LOCK_AFTER).fill(401), ...Array(AT_ONCE - LOCK_AFTER).fill(429)]);
    const binds = directory.operations().slice(before).filter((line) => line.includes(` BIND dn="${directory.dnOf('alice')}"`));
    expect(binds).toHaveLength(LOCK_AFTER);
  }, 60_000);
});
