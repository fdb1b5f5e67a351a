/**
 * A role's permissions are scopes of its API. Taking a scope from the API (or the API away) while a
 * role still grants it would leave the permission dangling, and the day a scope of that name comes
 * back, perhaps meaning something else, every holder of the role would have it again unasked.
 * As with a scope still given to a client: refused (409) until the role lets it go.
 */
import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('an API scope a role grants on $name', (backend) => {
  let kl: RunningKeyline;
  let admin: AdminSession;
  useKeyline(backend, {}, async (ready) => {
    kl = ready.kl;
    admin = await AdminSession.open(kl);
  });

  async function apiWithRole(indicator: string) {
    await admin.expect(201, 'POST', '/resources', { indicator, scopes: ['read', 'write'] });
    const now = new Date();
    await kl.store.roles.create({
      id: `rol_${indicator.length.toString().padStart(22, 'w')}`, name: `writer-${indicator.length}`, resource: indicator,
      permissions: ['write'], description: null, createdAt: now, updatedAt: now,
    });
  }

  test('a scope a role grants cannot be taken from the API; one no role grants can', async () => {
    const indicator = 'https://orders.example.test/';
    await apiWithRole(indicator);
    const refused = await admin.call('PATCH', `/resources/${encodeURIComponent(indicator)}`, { scopes: ['read'] });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('write');
    expect(refused.body.detail).toContain('writer-');
    expect((await kl.store.resources.find(indicator))?.scopes).toEqual(['read', 'write']);
    await admin.expect(200, 'PATCH', `/resources/${encodeURIComponent(indicator)}`, { scopes: ['write'] });
  });

  test('an API with roles cannot be removed', async () => {
    const indicator = 'https://billing.example.test/';
    await apiWithRole(indicator);
    const refused = await admin.call('DELETE', `/resources/${encodeURIComponent(indicator)}`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('writer-');
    expect(await kl.store.resources.find(indicator)).toBeDefined();
  });
});
