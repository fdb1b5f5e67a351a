/**
 * A removed person or client leaves nothing under its id: not their group memberships, not the
 * roles granted to them. Otherwise groups go on listing people who are gone, every later change of
 * such a group announces a token-claims-change about them to shared-signals receivers, and the
 * grants wait for whatever next answers to the id.
 */
import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { initialAccessToken, manageRegistration, registerDynamically } from '../support/dynamic-registration.ts';
import { memberOfChildGroup } from '../support/groups-in-store.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, registerTestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const STAFF = 'rol_staff00000000000000000';
const PLATFORM = 'grp_platform000000000000000';

describe.each(backends)('removal and authorization on $name', (backend) => {
  let kl: RunningKeyline;
  let admin: AdminSession;
  useKeyline(backend, { config: { registration: { dynamic: true } } }, async (ready) => {
    kl = ready.kl;
    admin = await AdminSession.open(kl);
    await memberOfChildGroup(kl, ready.user.id);
  });

  test('a removed person is in no group and holds no role', async () => {
    const person = await createTestUser(kl);
    await kl.store.groups.addMember(PLATFORM, person.id);
    await kl.store.roles.grant(STAFF, { kind: 'user', id: person.id });
    await admin.expect(200, 'DELETE', `/users/${person.id}`);
    expect(await kl.store.groups.groupIdsOf(person.id)).toEqual([]);
    expect(await kl.store.groups.members(PLATFORM, 100)).not.toContain(person.id);
    expect(await kl.store.roles.grantsTo([{ kind: 'user', id: person.id }])).toEqual([]);
  });

  test('a client removed by an administrator holds no role', async () => {
    const client = await registerTestClient(kl);
    await kl.store.roles.grant(STAFF, { kind: 'client', id: client.clientId });
    await admin.expect(204, 'DELETE', `/clients/${client.clientId}`);
    expect(await kl.store.roles.grantsTo([{ kind: 'client', id: client.clientId }])).toEqual([]);
  });

  test('a client that removes its own registration (RFC 7592) holds no role', async () => {
    const registered = (await registerDynamically(kl, { redirect_uris: ['https://app.example.test/callback'] }, await initialAccessToken(kl))).body;
    await kl.store.roles.grant(STAFF, { kind: 'client', id: registered.client_id });
    expect((await manageRegistration(registered, registered.registration_access_token, 'DELETE')).status).toBe(204);
    expect(await kl.store.roles.grantsTo([{ kind: 'client', id: registered.client_id }])).toEqual([]);
  });
});
