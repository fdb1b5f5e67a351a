/**
 * A role says what a subject may do on an API; the client's registration says what that client
 * may ask for. A role that permits more than the client is registered for must not widen the
 * token: not its scope, and not its `permissions` either (an API that checks permissions alone,
 * as the resource-server kit's requirePermissions does, would otherwise let a read-only client write).
 */
import { decodeJwt } from 'jose';
import { allBackends } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { exchangeCode, registerTestClient, signIn, tokenRequest, type TestClient, type TestUser } from '../support/oidc-flow.ts';
import { addRole, grant } from '../support/rbac-setup.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const ORDERS = 'https://orders.example.test';

describe.each(backends)('roles within the client\'s registration on $name', (backend) => {
  let kl: RunningKeyline;
  let reader: TestClient;
  let readerApp: TestClient;
  let user: TestUser;

  useKeyline(backend, { config: { resources: { [ORDERS]: { scopes: ['read', 'write'], rbac: true } } } }, async (ready) => {
    kl = ready.kl;
    user = ready.user;
    reader = await registerTestClient(kl, { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], resources: [ORDERS], scopes: 'read' });
    readerApp = await registerTestClient(kl, { resources: [ORDERS], scopes: 'openid read' });
    await addRole(kl, 'order-editor', ORDERS, ['read', 'write']);
    await grant(kl, 'order-editor', { client: reader.clientId });
    await grant(kl, 'order-editor', { user: user.id });
  });

  test('a machine registered for read, holding a role with write: read only, in scope and permissions', async () => {
    const answer = await tokenRequest(kl, reader, { grant_type: 'client_credentials', scope: 'read write' });
    expect(answer.status).toBe(200);
    expect(decodeJwt(String(answer.body.access_token))).toMatchObject({ scope: 'read', roles: ['order-editor'], permissions: ['read'] });
    expect((await tokenRequest(kl, reader, { grant_type: 'client_credentials', scope: 'write' })).body).toMatchObject({ error: 'invalid_scope' });
  });

  test('a person with a role with write, through an app registered for read: read only, in scope and permissions', async () => {
    const signedIn = await signIn(kl, readerApp, user, { scope: 'openid read write', params: { prompt: 'consent', resource: ORDERS } });
    const claims = decodeJwt(String((await exchangeCode(kl, readerApp, signedIn)).body.access_token));
    expect(claims).toMatchObject({ scope: 'read', roles: ['order-editor'], permissions: ['read'] });
  });

  test('a person asking for read alone gets read alone: permissions are what this token carries, not all the role permits', async () => {
    const app = await registerTestClient(kl, { resources: [ORDERS], scopes: 'openid read write' });
    const signedIn = await signIn(kl, app, user, { scope: 'openid read', params: { prompt: 'consent', resource: ORDERS } });
    const claims = decodeJwt(String((await exchangeCode(kl, app, signedIn)).body.access_token));
    expect(claims).toMatchObject({ scope: 'read', roles: ['order-editor'], permissions: ['read'] });
  });
});
