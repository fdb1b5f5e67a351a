import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

/**
 * The audit trail is what an investigator reads to learn who gave whom a role. A grant repeated
 * (a retried script, a replayed request, 20 at once) must not read as 20 grants: the role is held
 * once, the first request says 201 and the others 200, and a repeat that changed nothing is
 * recorded as `admin.no_change`, not as another `role.granted` / `group.member_added`.
 */
describe.each(backends)('repeated grants and memberships on $name', (backend) => {
  let kl: RunningKeyline;
  let admin: AdminSession;
  useKeyline(backend, {}, async (ready) => {
    ({ kl } = ready);
    admin = await AdminSession.open(kl);
  });

  const eventsAbout = async (accountId: string, type: string) => (await kl.store.audit.query({ accountId, type, limit: 100 })).length;

  test('a repeated grant, revoke, add or remove changes nothing and is not recorded as a change', async () => {
    const user = await createTestUser(kl);
    await admin.expect(201, 'POST', '/groups', { name: 'repeats' });
    await admin.expect(201, 'POST', '/roles/keyline-viewer/grants', { kind: 'user', id: user.id });
    await admin.expect(200, 'POST', '/roles/keyline-viewer/grants', { kind: 'user', id: user.id });
    await admin.expect(204, 'PUT', `/groups/repeats/members/${user.id}`);
    await admin.expect(204, 'PUT', `/groups/repeats/members/${user.id}`);
    await admin.expect(204, 'DELETE', `/roles/keyline-viewer/grants/user/${user.id}`);
    await admin.expect(404, 'DELETE', `/roles/keyline-viewer/grants/user/${user.id}`);
    await admin.expect(204, 'DELETE', `/groups/repeats/members/${user.id}`);
    await admin.expect(204, 'DELETE', `/groups/repeats/members/${user.id}`);
    for (const type of ['role.granted', 'role.revoked', 'group.member_added', 'group.member_removed']) {
      expect({ type, count: await eventsAbout(user.id, type) }).toEqual({ type, count: 1 });
    }
    const unchanged = (await kl.store.audit.query({ type: 'admin.no_change', limit: 100 })).map((event) => event.data.operation);
    expect(unchanged).toEqual(expect.arrayContaining(['grantRole', 'addGroupMember', 'removeGroupMember']));
  });

  test('20 identical grants at once: the role is held once, one answer is 201 and the rest 200', async () => {
    const user = await createTestUser(kl);
    const answers = await Promise.all(Array.from({ length: 20 }, () => admin.call('POST', '/roles/keyline-helpdesk/grants', { kind: 'user', id: user.id })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([...Array.from({ length: 19 }, () => 200), 201]);
    expect(await kl.store.roles.grantsTo([{ kind: 'user', id: user.id }])).toHaveLength(1);
  });
});
