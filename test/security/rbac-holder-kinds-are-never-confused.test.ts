/**
 * A role granted to a person must never reach a machine client whose client id is the same string
 * as the person's account id, nor the other way round: holders are (kind, id), never an id alone.
 * (Keyline's ids have different shapes, so the collision is made on purpose: an account created
 * with the client's id.)
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

describe.each(backends)('holder kinds on $name', (backend) => {
  let kl: RunningKeyline;
  let machine: TestClient;
  let app: TestClient;
  let twin: TestUser;

  useKeyline(backend, { config: { resources: { [ORDERS]: { scopes: ['read', 'write'], rbac: true } } } }, async (ready) => {
    kl = ready.kl;
    machine = await registerTestClient(kl, { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], resources: [ORDERS], scopes: 'read write' });
    app = await registerTestClient(kl, { resources: [ORDERS], scopes: 'openid read write' });
    const password = 'the twin\'s long passphrase';
    const account = await kl.keyline.accounts.create('twin@example.test', password, 'Twin', machine.clientId);
    twin = { id: account.id, email: 'twin@example.test', password };
    await addRole(kl, 'person-writes', ORDERS, ['write']);
    await addRole(kl, 'machine-reads', ORDERS, ['read']);
    await grant(kl, 'person-writes', { user: twin.id });
    await grant(kl, 'machine-reads', { client: machine.clientId });
  });

  test('the account and the client share one id string', () => {
    expect(twin.id).toBe(machine.clientId);
  });

  test('the client gets only the role granted to the client, never the person\'s', async () => {
    const answer = await tokenRequest(kl, machine, { grant_type: 'client_credentials', scope: 'read write' });
    expect(decodeJwt(String(answer.body.access_token))).toMatchObject({ sub: machine.clientId, scope: 'read', roles: ['machine-reads'], permissions: ['read'] });
    expect((await tokenRequest(kl, machine, { grant_type: 'client_credentials', scope: 'write' })).body).toMatchObject({ error: 'invalid_scope' });
  });

  test('the person gets only the role granted to the person, never the client\'s', async () => {
    const signedIn = await signIn(kl, app, twin, { scope: 'openid read write', params: { prompt: 'consent', resource: ORDERS } });
    const claims = decodeJwt(String((await exchangeCode(kl, app, signedIn)).body.access_token));
    expect(claims).toMatchObject({ sub: twin.id, client_id: app.clientId, scope: 'write', roles: ['person-writes'], permissions: ['write'] });
  });
});
