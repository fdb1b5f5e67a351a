import { generateKeyPair, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { integrationBackends } from '../support/backends.ts';
import { hiddenField, type BrowserLikeClient } from '../support/browser-like-client.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import {
  basicAuth, createTestUser, exchangeCode, introspect, registerTestClient, signIn, tokenRequest, type TestClient, type TestUser,
} from '../support/oidc-flow.ts';
import { runCli } from '../support/run-cli.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await integrationBackends();
afterAll(stopMongoTestServer);

const API = 'https://api.example.test';

interface UserTokens {
  user: TestUser;
  browser: BrowserLikeClient;
  accessToken: string;
  refreshToken?: string;
  idToken: string;
}

describe.each(backends)('JWT access tokens seen by APIs, on $name', (backend) => {
  let kl: RunningKeyline;
  let app: TestClient;
  let api: TestClient;
  let bystander: TestClient;
  let machine: TestClient;

  useKeyline(backend, { config: { resources: { [API]: { scopes: ['read'] } } } }, async (ready) => {
    kl = ready.kl;
    const serviceOnly = { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [] };
    app = await registerTestClient(kl, { resources: [API], scopes: 'openid offline_access read' });
    api = await registerTestClient(kl, { ...serviceOnly, scopes: '', resources: [API] });
    bystander = await registerTestClient(kl, { ...serviceOnly, scopes: '' });
    machine = await registerTestClient(kl, { ...serviceOnly, scopes: 'read', resources: [API] });
  });

  async function userTokens({ offline = true, user }: { offline?: boolean; user?: TestUser } = {}): Promise<UserTokens> {
    const who = user ?? await createTestUser(kl);
    const scope = offline ? 'openid offline_access read' : 'openid read';
    const signedIn = await signIn(kl, app, who, { scope, params: { prompt: 'consent', resource: API } });
    const tokens = (await exchangeCode(kl, app, signedIn)).body;
    expect(decodeProtectedHeader(String(tokens.access_token)).typ).toBe('at+jwt');
    return {
      user: who,
      browser: signedIn.browser,
      accessToken: String(tokens.access_token),
      refreshToken: tokens.refresh_token as string | undefined,
      idToken: String(tokens.id_token),
    };
  }

  async function revoke(client: TestClient, token: string): Promise<number> {
    const response = await fetch(`${kl.url}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(client) },
      body: new URLSearchParams({ token }).toString(),
    });
    return response.status;
  }

  test('a user\'s JWT introspects active with its claims, for its client and for the API it is for, and for no one else', async () => {
    const { user, accessToken } = await userTokens();
    const claims = decodeJwt(accessToken);
    for (const caller of [app, api]) {
      expect(await introspect(kl, caller, accessToken)).toEqual(expect.objectContaining({
        active: true, sub: user.id, client_id: app.clientId, aud: API, scope: 'read', iss: kl.url,
        jti: claims.jti, exp: claims.exp, iat: claims.iat, token_type: 'Bearer',
      }));
    }
    expect(await introspect(kl, bystander, accessToken)).toEqual({ active: false });
  });

  test('a client-credentials JWT is active until its client revokes it (RFC 7009); no other client can', async () => {
    const token = String((await tokenRequest(kl, machine, { grant_type: 'client_credentials', scope: 'read' })).body.access_token);
    expect((await introspect(kl, api, token)).active).toBe(true);
    expect(await revoke(bystander, token)).toBe(200);
    expect((await introspect(kl, api, token)).active).toBe(true);
    expect(await revoke(machine, token)).toBe(200);
    expect(await introspect(kl, api, token)).toEqual({ active: false });
    expect(await introspect(kl, machine, token)).toEqual({ active: false });
  });

  test('a JWT Keyline did not sign, or signed with alg none, is inactive', async () => {
    const genuine = decodeJwt((await userTokens()).accessToken);
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT(genuine).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).sign(privateKey);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify(genuine)).toString('base64url')}.`;
    for (const token of [forged, unsigned]) expect(await introspect(kl, api, token)).toEqual({ active: false });
  });

  const revocationPaths: Array<[string, (tokens: UserTokens) => Promise<void>, { offline?: boolean }]> = [
    ['RFC 7009 revocation of the token by its client', async ({ accessToken }) => {
      expect(await revoke(app, accessToken)).toBe(200);
    }, {}],
    ['keyline sessions revoke', async ({ user }) => {
      expect((await runCli(kl, ['sessions', 'revoke', user.email, '--yes'])).code).toBe(0);
    }, {}],
    ['a password change', async ({ user }) => {
      expect((await runCli(kl, ['users', 'set-password', user.email], 'another long passphrase')).code).toBe(0);
    }, {}],
    ['an account disable', async ({ user }) => {
      expect((await runCli(kl, ['users', 'disable', user.email])).code).toBe(0);
    }, {}],
    ['logout', async ({ browser, idToken }) => {
      const confirm = await browser.get(`${kl.url}/session/end?${new URLSearchParams({ id_token_hint: idToken })}`);
      const done = await browser.postForm(`${kl.url}/session/end/confirm`, { xsrf: hiddenField(confirm.text, 'xsrf')!, logout: 'yes' });
      expect(done.status).toBe(303);
    }, { offline: false }],
    ['refresh-token reuse', async ({ refreshToken }) => {
      const rotated = await tokenRequest(kl, app, { grant_type: 'refresh_token', refresh_token: refreshToken! });
      expect(rotated.status).toBe(200);
      // Its successor used, the first token presented again is reuse, not a retry inside the window.
      expect((await tokenRequest(kl, app, { grant_type: 'refresh_token', refresh_token: String(rotated.body.refresh_token) })).status).toBe(200);
      expect((await tokenRequest(kl, app, { grant_type: 'refresh_token', refresh_token: refreshToken! })).body.error).toBe('invalid_grant');
    }, {}],
  ];

  test.each(revocationPaths)('after %s the JWT introspects inactive at once, at the API too', async (_path, revokeIt, options) => {
    const tokens = await userTokens(options);
    const other = await userTokens(options);
    expect((await introspect(kl, api, tokens.accessToken)).active).toBe(true);
    await revokeIt(tokens);
    expect(await introspect(kl, api, tokens.accessToken)).toEqual({ active: false });
    expect(await introspect(kl, app, tokens.accessToken)).toEqual({ active: false });
    expect((await introspect(kl, api, other.accessToken)).active).toBe(true);
  });
});
