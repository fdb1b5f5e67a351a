/**
 * Roles belong to one API. Two APIs with the same scope names (`read`, `write`): a role on BILLING
 * must never put its permissions or its name into a token for ORDERS, however the client mixes
 * `resource` and `scope`: asking ORDERS for BILLING's scopes, authorizing both APIs and redeeming
 * or refreshing for one, or redeeming for an API the authorization did not name.
 */
import { decodeJwt } from 'jose';
import { allBackends } from '../support/backends.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import {
  authorizeUrl, continueSignIn, exchangeCode, pkcePair, registerTestClient, signIn, tokenRequest, type TestClient, type TestUser,
} from '../support/oidc-flow.ts';
import { addRole, grant } from '../support/rbac-setup.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const ORDERS = 'https://orders.example.test';
const BILLING = 'https://billing.example.test';
const NOTHING_ON_ORDERS = { aud: ORDERS, roles: [], permissions: [] };

describe.each(backends)('roles stay with their API on $name', (backend) => {
  let kl: RunningKeyline;
  let app: TestClient;
  let machine: TestClient;
  let user: TestUser;

  useKeyline(backend, {
    config: { resources: { [ORDERS]: { scopes: ['read', 'write'], rbac: true }, [BILLING]: { scopes: ['read', 'write'], rbac: true } } },
  }, async (ready) => {
    ({ kl, user } = ready);
    app = await registerTestClient(kl, { resources: [ORDERS, BILLING], scopes: 'openid offline_access read write' });
    machine = await registerTestClient(kl, {
      grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], resources: [ORDERS, BILLING], scopes: 'read write',
    });
    await addRole(kl, 'billing-writer', BILLING, ['read', 'write']);
    await grant(kl, 'billing-writer', { user: user.id });
    await grant(kl, 'billing-writer', { client: machine.clientId });
  });

  test('a person asking ORDERS for the scopes their BILLING role permits gets none of them', async () => {
    const signedIn = await signIn(kl, app, user, { scope: 'openid read write', params: { prompt: 'consent', resource: ORDERS } });
    const claims = decodeJwt(String((await exchangeCode(kl, app, signedIn)).body.access_token));
    expect(claims).toMatchObject(NOTHING_ON_ORDERS);
    expect(claims).not.toHaveProperty('scope');
  });

  test('both APIs authorized at once: the token for each carries that API\'s roles only, at redemption and every refresh', async () => {
    const browser = new BrowserLikeClient();
    const { verifier, challenge } = pkcePair();
    const url = new URL(authorizeUrl(kl, app, {
      scope: 'openid offline_access read write', prompt: 'consent', resource: ORDERS, code_challenge: challenge, code_challenge_method: 'S256',
    }));
    url.searchParams.append('resource', BILLING);
    const back = await continueSignIn(kl, browser, await browser.get(url.href), user);
    const code = new URL(back.location!).searchParams.get('code')!;
    const redeemed = await tokenRequest(kl, app, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: app.redirectUri, resource: ORDERS });
    expect(decodeJwt(String(redeemed.body.access_token))).toMatchObject(NOTHING_ON_ORDERS);

    const billing = await tokenRequest(kl, app, { grant_type: 'refresh_token', refresh_token: String(redeemed.body.refresh_token), resource: BILLING });
    expect(decodeJwt(String(billing.body.access_token))).toMatchObject({ aud: BILLING, scope: 'read write', roles: ['billing-writer'], permissions: ['read', 'write'] });
    const orders = await tokenRequest(kl, app, {
      grant_type: 'refresh_token', refresh_token: String(billing.body.refresh_token), resource: ORDERS, scope: 'read write',
    });
    expect(decodeJwt(String(orders.body.access_token))).toMatchObject(NOTHING_ON_ORDERS);
  });

  test('a code authorized for BILLING cannot be redeemed for ORDERS', async () => {
    const signedIn = await signIn(kl, app, user, { scope: 'openid read write', params: { prompt: 'consent', resource: BILLING } });
    const answer = await tokenRequest(kl, app, {
      grant_type: 'authorization_code', code: signedIn.code, code_verifier: signedIn.verifier, redirect_uri: app.redirectUri, resource: ORDERS,
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_target' });
  });

  test('a machine with a BILLING role asking ORDERS for read write is refused; it gets them from BILLING only', async () => {
    expect((await tokenRequest(kl, machine, { grant_type: 'client_credentials', resource: ORDERS, scope: 'read write' })).body).toMatchObject({ error: 'invalid_scope' });
    const billing = await tokenRequest(kl, machine, { grant_type: 'client_credentials', resource: BILLING, scope: 'read write' });
    expect(decodeJwt(String(billing.body.access_token))).toMatchObject({ aud: BILLING, scope: 'read write', roles: ['billing-writer'] });
  });
});
