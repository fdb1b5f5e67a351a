/**
 * A resource indicator is compared exactly: a variant of an RBAC API's URL (trailing slash, case,
 * default port, query) is not that API. Asked for, it is `invalid_target`, never a token whose
 * `aud` is the variant (which a careless API might accept) with the scopes and roles of the real one.
 */
import { allBackends } from '../support/backends.ts';
import { AdminSession } from '../support/admin-api.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { authorizeUrl, pkcePair, registerTestClient, tokenRequest, type TestClient } from '../support/oidc-flow.ts';
import { addRole, grant } from '../support/rbac-setup.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const ORDERS = 'https://orders.example.test';
const VARIANTS = [`${ORDERS}/`, 'https://ORDERS.example.test', 'HTTPS://orders.example.test', 'https://orders.example.test:443', `${ORDERS}?tenant=1`, `${ORDERS}/.`];

describe.each(backends)('resource indicator variants on $name', (backend) => {
  let kl: RunningKeyline;
  let machine: TestClient;
  let app: TestClient;

  useKeyline(backend, { config: { resources: { [ORDERS]: { scopes: ['read'], rbac: true } } } }, async (ready) => {
    kl = ready.kl;
    machine = await registerTestClient(kl, { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], resources: [ORDERS], scopes: 'read' });
    app = await registerTestClient(kl, { resources: [ORDERS], scopes: 'openid read' });
    await addRole(kl, 'order-reader', ORDERS, ['read']);
    await grant(kl, 'order-reader', { client: machine.clientId });
    await grant(kl, 'order-reader', { user: ready.user.id });
  });

  test.each(VARIANTS)('client_credentials for %s is invalid_target', async (variant) => {
    const answer = await tokenRequest(kl, machine, { grant_type: 'client_credentials', resource: variant, scope: 'read' });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(expect.objectContaining({ error: 'invalid_target' }));
    expect(answer.body).not.toHaveProperty('access_token');
  });

  test.each(VARIANTS)('an authorization for %s is sent back as invalid_target', async (variant) => {
    const { challenge } = pkcePair();
    const answer = await new BrowserLikeClient().get(authorizeUrl(kl, app, {
      scope: 'openid read', resource: variant, code_challenge: challenge, code_challenge_method: 'S256',
    }));
    const back = new URL(answer.location ?? 'about:blank');
    expect(`${back.origin}${back.pathname}`).toBe(app.redirectUri);
    expect(back.searchParams.get('error')).toBe('invalid_target');
  });

  test('a role cannot be made for a variant of the API', async () => {
    const admin = await AdminSession.open(kl);
    for (const variant of VARIANTS.slice(0, 3)) {
      expect((await admin.call('POST', '/roles', { name: `variant-${VARIANTS.indexOf(variant)}`, resource: variant, permissions: ['read'] })).status).toBe(422);
    }
  });
});
