import { type JSONWebKeySet, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import {
  authorizeUrl, basicAuth, createTestUser, exchangeCode, introspect, pkcePair, registerTestClient, signIn, silentAuthorize, tokenRequest,
  type TestClient, type TestUser,
} from '../support/oidc-flow.ts';
import { integrationBackends } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';

const backends = await integrationBackends();
afterAll(stopMongoTestServer);

const API = 'https://api.example.test';
const ES_API = 'https://es.api.example.test';
const ED_API = 'https://ed.api.example.test';

describe.each(backends)('token lifecycle on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  let machine: TestClient;
  let user: TestUser;
  const config = {
    resources: { [API]: { scopes: ['read', 'write'] }, [ES_API]: { signingAlg: 'ES256', accessTokenTtl: 300 }, [ED_API]: { signingAlg: 'Ed25519' } },
  };
  useKeyline(backend, { config }, async (ready) => {
    ({ kl, client, user } = ready);
    machine = await registerTestClient(kl, {
      grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], scopes: 'read write', resources: [API, ES_API, ED_API],
    });
  });

  async function jwks() {
    return createLocalJWKSet(await (await fetch(`${kl.url}/jwks`)).json() as JSONWebKeySet);
  }

  test('client_credentials returns a JWT access token bound to the client\'s default resource', async () => {
    const tokens = await tokenRequest(kl, machine, { grant_type: 'client_credentials', scope: 'read' });
    expect(tokens.status).toBe(200);
    const { payload, protectedHeader } = await jwtVerify(String(tokens.body.access_token), await jwks(), {
      issuer: kl.url, audience: API, typ: 'at+jwt',
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.client_id).toBe(machine.clientId);
    expect(payload.scope).toBe('read');
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(900);
  });

  test('a resource configured for ES256 gets ES256-signed access tokens with its own lifetime', async () => {
    const tokens = await tokenRequest(kl, machine, { grant_type: 'client_credentials', resource: ES_API });
    expect(tokens.status).toBe(200);
    const { payload } = await jwtVerify(String(tokens.body.access_token), await jwks(), { audience: ES_API });
    expect(decodeProtectedHeader(String(tokens.body.access_token)).alg).toBe('ES256');
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  test('a resource configured for Ed25519 gets tokens under that fully specified alg name (RFC 9864)', async () => {
    const tokens = await tokenRequest(kl, machine, { grant_type: 'client_credentials', resource: ED_API });
    expect(tokens.status).toBe(200);
    expect(decodeProtectedHeader(String(tokens.body.access_token)).alg).toBe('Ed25519');
    await jwtVerify(String(tokens.body.access_token), await jwks(), { audience: ED_API, typ: 'at+jwt' });
  });

  test('refuses a resource the client is not registered for', async () => {
    const tokens = await tokenRequest(kl, machine, { grant_type: 'client_credentials', resource: 'https://other.example.test' });
    expect(tokens.status).toBe(400);
    expect(tokens.body.error).toBe('invalid_target');
  });

  test('a wrong client secret gives 401 invalid_client', async () => {
    const tokens = await tokenRequest(kl, { ...machine, clientSecret: 'not-the-secret' }, { grant_type: 'client_credentials' });
    expect(tokens.status).toBe(401);
    expect(tokens.body.error).toBe('invalid_client');
  });

  test('refresh tokens rotate, a retry gets the same successor, and reusing a superseded one revokes the whole grant', async () => {
    const signedIn = await signIn(kl, client, user, { scope: 'openid offline_access', params: { prompt: 'consent' } });
    const initial = await exchangeCode(kl, client, signedIn);
    const first = String(initial.body.refresh_token);
    expect(first).toBeTruthy();

    const rotated = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: first });
    expect(rotated.status).toBe(200);
    const second = String(rotated.body.refresh_token);
    expect(second).not.toBe(first);

    // A client that lost that answer retries inside the retry window (ttl.refreshTokenReuseInterval).
    const retry = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: first });
    expect(retry.status).toBe(200);
    expect(retry.body.refresh_token).toBe(second);

    const next = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: second });
    expect(next.status).toBe(200);

    const reuse = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: first });
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');

    const afterReuse = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: String(next.body.refresh_token) });
    expect(afterReuse.status).toBe(400);
    expect(afterReuse.body.error).toBe('invalid_grant');
    expect((await introspect(kl, client, String(next.body.access_token))).active).toBe(false);
  });

  test('a user-flow token for an API is a JWT with that audience', async () => {
    const apiClient = await registerTestClient(kl, { resources: [API], scopes: 'openid read' });
    const signedIn = await signIn(kl, apiClient, user, { scope: 'openid read', params: { resource: API } });
    const tokens = await exchangeCode(kl, apiClient, signedIn);
    expect(tokens.status).toBe(200);
    const { payload } = await jwtVerify(String(tokens.body.access_token), await jwks(), { audience: API, typ: 'at+jwt' });
    expect(payload.sub).toBe(user.id);
    expect(payload.scope).toBe('read');
  });

  test('revocation makes introspection report the token inactive', async () => {
    const tokens = await exchangeCode(kl, client, await signIn(kl, client, user));
    const token = String(tokens.body.access_token);
    expect((await introspect(kl, client, token)).active).toBe(true);
    const revoked = await fetch(`${kl.url}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(client) },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(revoked.status).toBe(200);
    expect((await introspect(kl, client, token)).active).toBe(false);
  });



  test('logout ends the server-side session: prompt=none then answers login_required', async () => {
    const leaving = await createTestUser(kl);
    const signedIn = await signIn(kl, client, leaving);
    const tokens = await exchangeCode(kl, client, signedIn);
    const browser = signedIn.browser;

    const before = await silentAuthorize(kl, client, browser);
    expect(before.searchParams.get('code')).toBeTruthy();
    expect(await kl.store.oidc.listByAccount('Session', leaving.id)).toHaveLength(1);

    const confirm = await browser.get(`${kl.url}/session/end?${new URLSearchParams({
      id_token_hint: String(tokens.body.id_token), post_logout_redirect_uri: 'http://127.0.0.1:9/signed-out', state: 'bye',
    })}`);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Sign out');
    const done = await browser.postForm(`${kl.url}/session/end/confirm`, { xsrf: hiddenField(confirm.text, 'xsrf')!, logout: 'yes' });
    expect(done.status).toBe(303);
    expect(done.location).toBe('http://127.0.0.1:9/signed-out?state=bye');
    expect(await kl.store.oidc.listByAccount('Session', leaving.id)).toHaveLength(0);

    const after = await silentAuthorize(kl, client, browser);
    expect(after.searchParams.get('error')).toBe('login_required');
  });

  test('a granted consent is remembered for that client', async () => {
    const returning = await createTestUser(kl);
    await signIn(kl, client, returning);
    const browser = new BrowserLikeClient();
    const { challenge } = pkcePair();
    let page = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256' })));
    page = await browser.postForm(`${kl.url}${/action="([^"]+\/login)"/.exec(page.text)![1]}`, {
      email: returning.email, password: returning.password, csrf: hiddenField(page.text, 'csrf')!,
    });
    const landed = await browser.followWithin(kl.url, page);
    expect(landed.location).toMatch(/^http:\/\/127\.0\.0\.1:9\/callback\?code=/);
  });
});
