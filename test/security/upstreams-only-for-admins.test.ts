import { ADMIN_HELPDESK_SCOPE, ADMIN_READ_SCOPE, AdminSession } from '../support/admin-api.ts';
import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * An upstream decides who may sign in as whom (provisioning, linking, group mapping): adding one is
 * taking over accounts. The help desk and read-only callers may not add, change or remove one
 * (the role matrix checks every operation; this names the abuse). Read-only may see them, secrets not.
 */
describe('only administrators change upstreams', () => {
  let kl: RunningKeyline;
  let admin: AdminSession;
  useKeyline(sqliteBackend, {}, async (ready) => {
    ({ kl } = ready);
    admin = await AdminSession.open(kl);
  });

  const evil = { id: 'evil', type: 'oidc', issuer: 'https://evil.example', clientId: 'k', clientSecret: 's', domains: ['victim.example'], provisioning: 'create' };

  test.each([['help desk', ADMIN_HELPDESK_SCOPE], ['read-only', ADMIN_READ_SCOPE]])('the %s can neither add, change nor remove one', async (_name, scope) => {
    await admin.expect(201, 'POST', '/upstreams', { ...evil, id: 'real', domains: [] });
    const caller = await AdminSession.open(kl, scope);
    expect((await caller.call('POST', '/upstreams', evil)).status).toBe(403);
    expect((await caller.call('PATCH', '/upstreams/real', { domains: ['victim.example'] })).status).toBe(403);
    expect((await caller.call('DELETE', '/upstreams/real')).status).toBe(403);
    expect(await kl.store.upstreams.find('evil')).toBeUndefined();
    expect((await kl.store.upstreams.find('real'))?.domains).toEqual([]);
    await admin.expect(204, 'DELETE', '/upstreams/real');
  });
});
