/**
 * RISC account-disabled that arrives while a sign-in through that identity is between the upstream
 * and the resume (the upstream step done, the session not made yet) still ends the session the
 * moment it is made. Found in the attacker review of fed-logout: the disable ended the account's
 * existing sessions and with them the sign-in's record, so the resume bound nothing and the fresh
 * session lived on, with its tokens, for an identity the upstream had just said was disabled.
 * Only that identity is refused: the person's own password still signs them in.
 */
import { createTestUser } from '../support/oidc-flow.ts';
import { signedIn } from '../support/session-ending-paths.ts';
import { allBackends } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import {
  ACCOUNT_DISABLED, issSub, pushSet, securityEventToken, sessionUids, signedInThroughUpstream, useUpstreamLogout,
} from '../support/upstream-logout.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('on $name', (backend) => {
  const setup = useUpstreamLogout(backend);

  test('a sign-in resumed after its identity was disabled leaves no session', async () => {
    const { kl, client, acme } = setup();
    const user = await createTestUser(kl);
    const subject = `disabled-${user.id}`;
    await expect(signedInThroughUpstream(kl, client, acme, {
      user, subject,
      beforeResume: async () => {
        const disabled = await securityEventToken(kl, acme, { [ACCOUNT_DISABLED]: {} }, { sub_id: issSub(acme, subject) });
        expect((await pushSet(kl, 'acme', disabled, acme.bearer)).status).toBe(202);
      },
    })).rejects.toThrow(/did not reach the client/);
    expect(await sessionUids(kl, user.id)).toEqual([]);

    const local = await signedIn(kl, client, user);
    expect(await sessionUids(kl, user.id)).toEqual([expect.any(String)]);
    expect(local.sid).toEqual(expect.any(String));
  });
});
