/**
 * Groups and mapped claims are read at every issuance, so the client's registration as it is now
 * decides too: once an administrator takes `groups` or a claim scope from a client, the refresh
 * token it got before no longer brings those claims, in the id_token or at UserInfo.
 */
import { decodeJwt } from 'jose';
import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { memberOfChildGroup } from '../support/groups-in-store.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import {
  authorizeUrl, createTestUser, exchangeCode, pkcePair, registerTestClient, signIn, tokenRequest,
} from '../support/oidc-flow.ts';
import { eventually } from '../support/recording-receiver.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const DECLARATIONS = {
  attributes: [{ name: 'department', type: 'string' }],
  claims: { org: { department: 'attribute.department' } },
};

describe.each(backends)('a claim scope taken from a client on $name', (backend) => {
  let kl: RunningKeyline;
  let admin: AdminSession;
  useKeyline(backend, { config: DECLARATIONS }, async (ready) => {
    kl = ready.kl;
    admin = await AdminSession.open(kl);
  });

  test('the next refresh brings neither groups nor the mapped claims; a scope it keeps still works', async () => {
    const client = await registerTestClient(kl, { scopes: 'openid email groups org offline_access' });
    const member = await createTestUser(kl);
    await memberOfChildGroup(kl, member.id);
    await kl.store.accounts.update(member.id, { attributes: { department: 'Research' } });
    const first = (await exchangeCode(kl, client, await signIn(kl, client, member, {
      scope: 'openid email groups org offline_access', params: { prompt: 'consent' },
    }))).body;
    expect(decodeJwt(String(first.id_token))).toMatchObject({ groups: ['engineering', 'platform'], department: 'Research' });

    await admin.expect(200, 'PATCH', `/clients/${client.clientId}`, { scopes: 'openid email offline_access' });
    // Every node reads a changed registration within a moment (revision-cache.ts); wait until this
    // one refuses the scope, without assuming how long that takes.
    await eventually('the registration without groups in force', async () => {
      const answer = await fetch(authorizeUrl(kl, client, { scope: 'openid groups', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }), { redirect: 'manual' });
      return answer.headers.get('location')?.includes('error=invalid_scope');
    });
    const refreshed = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: String(first.refresh_token) });
    expect(refreshed.status).toBe(200);
    const idToken = decodeJwt(String(refreshed.body.id_token));
    expect(idToken).not.toHaveProperty('groups');
    expect(idToken).not.toHaveProperty('department');
    const userinfo = await (await fetch(`${kl.url}/me`, { headers: { authorization: `Bearer ${String(refreshed.body.access_token)}` } })).json() as Record<string, unknown>;
    expect(userinfo).not.toHaveProperty('groups');
    expect(userinfo).not.toHaveProperty('department');
    expect(userinfo.email).toBe(member.email);
  });
});
