import { ADMIN_HELPDESK_SCOPE, AdminSession, adminCall, personToken, registerPersonAdminClient } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, type TestUser } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

/**
 * The help desk resets second factors, unlocks, ends sessions and sends reset links. Done to an
 * administrator, that is an escalation: unlock the admin's address again and again to keep
 * guessing their password, then reset their second factor, and the help desk is keyline-admin.
 * So a caller whose only right to the operation is keyline:helpdesk may change an account only
 * when it holds no admin API right the caller lacks (keyline-admin, keyline-viewer); an
 * administrator (keyline:admin) still may.
 */
describe.each(backends)('the help desk and stronger accounts on $name', (backend) => {
  let kl: RunningKeyline;
  let admin: AdminSession;
  let helpdeskPerson: string;
  let helpdeskClient: AdminSession;

  useKeyline(backend, {}, async (ready) => {
    ({ kl } = ready);
    admin = await AdminSession.open(kl);
    const person = await createTestUser(kl);
    await admin.expect(201, 'POST', '/roles/keyline-helpdesk/grants', { kind: 'user', id: person.id });
    helpdeskPerson = await personToken(kl, await registerPersonAdminClient(kl), person);
    helpdeskClient = await AdminSession.open(kl, ADMIN_HELPDESK_SCOPE);
  });

  async function holding(role: string | undefined): Promise<TestUser> {
    const user = await createTestUser(kl);
    if (role) await admin.expect(201, 'POST', `/roles/${role}/grants`, { kind: 'user', id: user.id });
    return user;
  }

  const changes = (id: string): Array<[string, string]> => [
    ['DELETE', `/users/${id}/factors`], ['POST', `/users/${id}/unlock`], ['DELETE', `/users/${id}/sessions`], ['POST', `/users/${id}/password-reset`],
  ];

  test.each(['keyline-admin', 'keyline-viewer'])('the help desk cannot change a %s\'s account, by a person\'s token or a client\'s', async (role) => {
    const target = await holding(role);
    for (const token of [helpdeskPerson, helpdeskClient.token]) {
      for (const [method, path] of changes(target.id)) {
        const answer = await adminCall(kl, token, method, path);
        expect({ path, status: answer.status }).toEqual({ path, status: 403 });
        expect(answer.body.detail).toMatch(/keyline-admin/);
      }
      // Reading the account stays the help desk's.
      expect((await adminCall(kl, token, 'GET', `/users/${target.id}`)).status).toBe(200);
    }
    const events = await kl.store.audit.query({ accountId: target.id, limit: 50 });
    expect(events.filter((event) => ['user.mfa_reset', 'user.unlocked', 'sessions.revoked'].includes(event.type))).toEqual([]);
  });

  test('a role held through a group counts as much as a direct one', async () => {
    const target = await createTestUser(kl);
    await admin.expect(201, 'POST', '/groups', { name: 'operators' });
    await admin.expect(201, 'POST', '/roles/keyline-admin/grants', { kind: 'group', id: 'operators' });
    await admin.expect(204, 'PUT', `/groups/operators/members/${target.id}`);
    expect((await adminCall(kl, helpdeskPerson, 'DELETE', `/users/${target.id}/factors`)).status).toBe(403);
  });

  test('the help desk still changes everyone else, a fellow help desk person included; an administrator changes anyone', async () => {
    for (const target of [await holding(undefined), await holding('keyline-helpdesk')]) {
      expect((await adminCall(kl, helpdeskPerson, 'DELETE', `/users/${target.id}/factors`)).status).toBe(200);
      expect((await adminCall(kl, helpdeskClient.token, 'POST', `/users/${target.id}/unlock`)).status).toBe(204);
    }
    const strong = await holding('keyline-admin');
    expect((await admin.call('DELETE', `/users/${strong.id}/factors`)).status).toBe(200);
  });
});
