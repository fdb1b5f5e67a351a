import { ADMIN_SCOPE, adminApiIndicator } from '../../src/oidc/admin-api-resource.ts';
import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { runCli } from '../support/run-cli.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

/**
 * The admin API's rights reach a person only through keyline-admin, keyline-helpdesk and
 * keyline-viewer, which are code and reviewed. An administrator could otherwise create a role on
 * the admin API carrying keyline:admin under an innocent name ("reporting") and hand it out: a
 * second way to every right, invisible in a review of who holds the built-in roles. Refused, from
 * the admin API and the CLI alike, naming the built-in roles.
 */
describe.each(backends)('custom roles on Keyline\'s own APIs on $name', (backend) => {
  let kl: RunningKeyline;
  let admin: AdminSession;
  useKeyline(backend, {}, async (ready) => {
    ({ kl } = ready);
    admin = await AdminSession.open(kl);
  });

  test('the admin API refuses a role on the admin API with 422 naming the built-in roles, and stores nothing', async () => {
    const answer = await admin.call('POST', '/roles', { name: 'reporting', resource: adminApiIndicator(kl.url), permissions: [ADMIN_SCOPE] });
    expect(answer.status).toBe(422);
    expect(answer.body.detail).toMatch(/keyline-admin/);
    expect(await kl.store.roles.findByName('reporting')).toBeUndefined();
  });

  test('the CLI refuses it too, in one line', async () => {
    const result = await runCli(kl, ['roles', 'add', 'reporting', '--resource', adminApiIndicator(kl.url), '--permissions', 'keyline:admin:read']);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/built in/);
    expect(await kl.store.roles.findByName('reporting')).toBeUndefined();
  });
});
