import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

/**
 * On MongoDB an id that arrives as an object (`{"$ne": ""}`) is a query that matches every
 * upstream: a PATCH or DELETE with one would change or remove them all. Ids, domains and every
 * other input are checked as strings before they reach the store (a clear 422), and the store
 * compares with $eq regardless (test/contract/upstreams.test.ts).
 */
describe.each(backends)('upstream ids are never queries on $name', (backend) => {
  let kl: RunningKeyline;
  let admin: AdminSession;
  useKeyline(backend, {}, async (ready) => {
    ({ kl } = ready);
    admin = await AdminSession.open(kl);
  });

  test('operator objects in the path, the id, the domains or the mapping are refused and change nothing', async () => {
    await admin.expect(201, 'POST', '/upstreams', { id: 'acme', type: 'oidc', issuer: 'https://idp.example', clientId: 'k', clientSecret: 's', domains: ['acme.example'] });
    const operator = encodeURIComponent(JSON.stringify({ $ne: '' }));
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const answer = await admin.call(method, `/upstreams/${operator}`, method === 'PATCH' ? { enabled: false } : undefined);
      expect({ method, status: answer.status }).toEqual({ method, status: 422 });
    }
    for (const body of [
      { id: { $ne: '' }, type: 'oidc', issuer: 'https://idp.example', clientId: 'k', clientSecret: 's' },
      { id: 'x', type: 'oidc', issuer: 'https://idp.example', clientId: 'k', clientSecret: 's', domains: [{ $ne: '' }] },
      { id: 'y', type: 'oidc', issuer: 'https://idp.example', clientId: { $gt: '' }, clientSecret: 's' },
      { id: 'z', type: 'oidc', issuer: 'https://idp.example', clientId: 'k', clientSecret: 's', mapGroups: [{ claim: 'g', value: { $ne: 1 }, group: 'g' }] },
    ]) {
      expect((await admin.call('POST', '/upstreams', body)).status).toBe(422);
    }
    expect((await admin.call('PATCH', '/upstreams/acme', { domains: { $ne: '' } })).status).toBe(422);
    expect((await kl.store.upstreams.list()).map((upstream) => [upstream.id, upstream.enabled, upstream.domains])).toEqual([['acme', true, ['acme.example']]]);
  });
});
