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
const EVELINE = { uid: 'eveline', cn: 'Eveline Example', mail: 'eveline@acme.test', password: 'eveline directory secret' };
useSlapd({ people: [ALICE, EVELINE] }, (started) => { directory = started; });

/** `eveline` with the letters picked by `mask` in their fullwidth forms (U+FF41...): 128 spellings slapd folds into one. */
function mixedSpelling(mask: number): string {
  return [...EVELINE.uid].map((letter, index) => (mask & (1 << index) ? String.fromCodePoint(letter.codePointAt(0)! - 0x61 + 0xff41) : letter)).join('');
}

const LOCK_AFTER = 3;

/**
 * The directory, not Keyline, decides which spellings name one person: the operator's filter
 * `(|(mail={email})(uid={username}))` finds Alice as `alice@acme.test` and as `alice`, and slapd's
 * matching rules find her as fullwidth `ａｌｉｃｅ`, as `ALİCE` (Turkish dotted capital I, which
 * JavaScript lowercases to `i` + a combining dot) and with the letters mixed (2^5 spellings of
 * `alice` alone). The throttle counted what was typed, so each spelling had limits of its own:
 * after the lock, another spelling got fresh guesses at the same password, with the right one
 * signing in. Guesses now also count under the directory entry found, before its bind.
 */
describe.each(backends)('directory guesses in other spellings on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {
    config: { login: { lockAfterFailures: LOCK_AFTER, lockout: 900, backoffAfterFailures: 1000, maxBackoff: 60, ipMaxFailures: 1000 } },
  }, async (ready) => {
    ({ kl, client } = ready);
    await addDirectoryUpstream(await AdminSession.open(kl), directory);
  });

  test('once Alice is locked for this address, no spelling of her reaches the directory', async () => {
    const aliceBinds = () => directory.operations().filter((line) => line.includes(` BIND dn="${directory.dnOf('alice')}"`)).length;
    const before = aliceBinds();
    for (let guess = 0; guess < LOCK_AFTER; guess += 1) {
      expect((await postDirectoryPassword(kl, await startInteraction(kl, client), ALICE.mail, `guess ${guess}`)).status).toBe(401);
    }
    expect((await postDirectoryPassword(kl, await startInteraction(kl, client), ALICE.mail, 'one more')).status).toBe(429);
    const spellings = ['alice', 'ａｌｉｃｅ', 'ALİCE', 'aｌiｃe', 'ALICE@ACME.TEST ', 'ａlice'];
    const wrong = [];
    for (const spelling of spellings) wrong.push((await postDirectoryPassword(kl, await startInteraction(kl, client), spelling, 'another guess')).status);
    const right = await postDirectoryPassword(kl, await startInteraction(kl, client), 'ａｌｉｃｅ', ALICE.password);
    expect(wrong).toEqual(spellings.map(() => 429));
    expect(right.status).toBe(429);
    expect(aliceBinds() - before).toBe(LOCK_AFTER);
    expect(await kl.keyline.accounts.findByEmail(ALICE.mail)).toBeUndefined();
  }, 60_000);

  test(`16 spellings of Eveline at once: ${LOCK_AFTER} binds reach the directory`, async () => {
    const spellings = Array.from({ length: 16 }, (_, index) => mixedSpelling(index * 7 + 1));
    expect(new Set(spellings).size).toBe(16);
    const starts = await Promise.all(spellings.map(() => startInteraction(kl, client)));
    const before = directory.operations().length;
    const answers = await Promise.all(starts.map((start, index) => postDirectoryPassword(kl, start, spellings[index]!, `guess ${index}`)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([...Array(LOCK_AFTER).fill(401), ...Array(16 - LOCK_AFTER).fill(429)]);
    expect(directory.operations().slice(before).filter((line) => line.includes(` BIND dn="${directory.dnOf(EVELINE.uid)}"`))).toHaveLength(LOCK_AFTER);
  }, 60_000);
});

const IP_MAX = 4;

/** Counting an attempt under the entry too must not count it twice against the address's limit. */
describe.each(backends)('the address limit with directory guesses on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {
    config: { login: { lockAfterFailures: 100, lockout: 900, backoffAfterFailures: 100, maxBackoff: 60, ipMaxFailures: IP_MAX } },
  }, async (ready) => {
    ({ kl, client } = ready);
    await addDirectoryUpstream(await AdminSession.open(kl), directory);
  });

  test(`${IP_MAX} wrong guesses from one address are all checked, the next is refused`, async () => {
    const statuses = [];
    for (const username of [ALICE.mail, 'nobody@acme.test', 'alice', 'someone', 'alice@acme.test']) {
      statuses.push((await postDirectoryPassword(kl, await startInteraction(kl, client), username, 'a wrong password')).status);
    }
    expect(statuses).toEqual([...Array(IP_MAX).fill(401), 429]);
  }, 60_000);
});
