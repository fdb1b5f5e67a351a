/**
 * A logout token is used once (its jti, per upstream, through the store's atomic consume): 20
 * concurrent posts of one token give one 200 and 19 refusals, and one session ending (so the
 * relying parties downstream hear of it once); a later replay is refused too. On both backends.
 */
import { allBackends } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { eventually } from '../support/recording-receiver.ts';
import {
  downstreamLogoutTokens, logoutToken, postLogoutToken, sessionEndingsOf, sessionUids, signedInThroughUpstream, useUpstreamLogout,
} from '../support/upstream-logout.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('on $name', (backend) => {
  const setup = useUpstreamLogout(backend);

  test('20 concurrent posts of one logout token have one effect', async () => {
    const { kl, client, acme, rp } = setup();
    const login = await signedInThroughUpstream(kl, client, acme);
    const token = await logoutToken(acme, { sub: login.subject });
    const answers = await Promise.all(Array.from({ length: 20 }, () => postLogoutToken(kl, 'acme', token)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, ...Array<number>(19).fill(400)]);
    expect(await sessionUids(kl, login.user.id)).toEqual([]);
    expect(await sessionEndingsOf(kl, login.user.id)).toBe(1);
    await eventually('the downstream logout token', () => downstreamLogoutTokens(rp).some((claims) => claims.sid === login.sid));
    expect((await postLogoutToken(kl, 'acme', token)).status).toBe(400);
  });
});
