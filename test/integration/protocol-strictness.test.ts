import { request } from 'node:http';
import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import {
  authorizeUrl, basicAuth, createTestUser, exchangeCode, pkcePair, registerTestClient, signIn, tokenRequest,
  type TestClient, type TestUser,
} from '../support/oidc-flow.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

let kl: RunningKeyline;
let app: TestClient;
let machine: TestClient;
let user: TestUser;

beforeAll(async () => {
  kl = await startKeyline();
  app = await registerTestClient(kl);
  machine = await registerTestClient(kl, { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], scopes: '' });
  user = await createTestUser(kl);
});
afterAll(() => kl.stop());

/** A raw request, for headers fetch() will not send as given (such as Host). */
function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(kl.url);
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: hostname, port, path, headers }, (incoming) => {
      let body = '';
      incoming.on('data', (chunk) => { body += chunk; });
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('RFC 6749 §5.2 at client-authenticated endpoints', () => {
  test.each([
    ['a code-flow client asking for client_credentials', () => app, { grant_type: 'client_credentials' }],
    ['a client-credentials client presenting a refresh token', () => machine, { grant_type: 'refresh_token', refresh_token: 'x' }],
    ['a client-credentials client presenting a code', () => machine, { grant_type: 'authorization_code', code: 'x', redirect_uri: 'http://127.0.0.1:9/cb' }],
  ])('%s gets unauthorized_client', async (_case, client, form) => {
    const answer = await tokenRequest(kl, client(), form);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('unauthorized_client');
  });

  test.each(['/token/introspection', '/token/revocation', '/token'])('%s without client authentication gets 401 invalid_client and WWW-Authenticate', async (path) => {
    const response = await fetch(`${kl.url}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=abc&grant_type=client_credentials',
    });
    expect(response.status).toBe(401);
    expect((await response.json() as { error: string }).error).toBe('invalid_client');
    expect(response.headers.get('www-authenticate')).toBe(`Basic realm="${kl.url}"`);
  });

  test('a wrong secret at introspection gets 401 invalid_client with WWW-Authenticate', async () => {
    const response = await fetch(`${kl.url}/token/introspection`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth({ ...machine, clientSecret: 'wrong' }) },
      body: 'token=abc',
    });
    expect(response.status).toBe(401);
    expect((await response.json() as { error: string }).error).toBe('invalid_client');
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  });
});

describe('RFC 6750 §3 at UserInfo', () => {
  test.each([
    ['no Authorization header', undefined],
    ['a non-Bearer scheme', 'Basic dXNlcjpwYXNz'],
    ['an empty Bearer', 'Bearer'],
  ])('%s gets 401 with a bare Bearer challenge', async (_case, authorization) => {
    const response = await fetch(`${kl.url}/me`, { headers: authorization ? { authorization } : {} });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate')!;
    expect(challenge.startsWith(`Bearer realm="${kl.url}"`)).toBe(true);
    expect(challenge).not.toContain('error=');
  });

  test.each([
    ['a malformed Bearer value', 'Bearer two parts'],
    ['an unknown token', 'Bearer not-a-token-keyline-issued'],
  ])('%s gets 401 with error="invalid_token"', async (_case, authorization) => {
    const response = await fetch(`${kl.url}/me`, { headers: { authorization } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(new RegExp(`^Bearer realm="${kl.url}", error="invalid_token"`));
    expect((await response.json() as { error: string }).error).toBe('invalid_token');
  });
});

describe('state must be visible ASCII (RFC 6749 Appendix A.5)', () => {
  test.each([
    ['a NUL', 'abc\u0000def'],
    ['CR/LF', 'abc\r\nSet-Cookie: x=y'],
    ['non-ASCII text', 'zustand-ü'],
  ])('a state with %s is refused with a page, never echoed beside a code', async (_case, state) => {
    const { challenge } = pkcePair();
    const browser = new BrowserLikeClient();
    const response = await browser.get(authorizeUrl(kl, app, { state, code_challenge: challenge, code_challenge_method: 'S256' }));
    expect(response.status).toBe(400);
    expect(response.location).toBeUndefined();
    expect(response.text).toContain('This sign-in link is broken');
  });
});

describe('URLs come from the issuer, never from the Host header', () => {
  test('discovery lists only issuer URLs whatever Host says', async () => {
    const answer = await rawGet('/.well-known/openid-configuration', { host: 'evil.example', 'x-forwarded-host': 'evil.example' });
    expect(answer.status).toBe(200);
    expect(answer.body).not.toContain('evil.example');
    const discovery = JSON.parse(answer.body) as Record<string, unknown>;
    for (const key of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint', 'end_session_endpoint']) {
      expect(String(discovery[key]).startsWith(`${kl.url}/`)).toBe(true);
    }
  });

  test('the redirect to the login page names the issuer\'s origin', async () => {
    const { challenge } = pkcePair();
    const path = new URL(authorizeUrl(kl, app, { code_challenge: challenge, code_challenge_method: 'S256' })).pathname
      + new URL(authorizeUrl(kl, app, { code_challenge: challenge, code_challenge_method: 'S256' })).search;
    const answer = await rawGet(path, { host: 'evil.example' });
    expect(answer.status).toBe(303);
    expect(String(answer.headers.location)).not.toContain('evil.example');
  });
});

describe('POST is accepted where OIDC says the OP MUST', () => {
  test('a signed-in user who arrives at /auth by form POST is recognised: prompt=none gives a code', async () => {
    const { browser } = await signIn(kl, app, user);
    const { challenge } = pkcePair();
    const params = new URL(authorizeUrl(kl, app, { prompt: 'none', code_challenge: challenge, code_challenge_method: 'S256', state: 'posted' })).searchParams;
    const posted = await browser.postForm(`${kl.url}/auth`, Object.fromEntries(params));
    expect(posted.status).toBe(303);
    expect(posted.location!.startsWith(`${kl.url}/auth?`)).toBe(true);
    const landed = await browser.followWithin(kl.url, posted);
    const callback = new URL(landed.location!);
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(callback.searchParams.get('state')).toBe('posted');
  });

  test('a logout request by form POST reaches the confirmation page', async () => {
    const signedIn = await signIn(kl, app, await createTestUser(kl));
    const tokens = await exchangeCode(kl, app, signedIn);
    const posted = await signedIn.browser.postForm(`${kl.url}/session/end`, { id_token_hint: String(tokens.body.id_token) });
    expect(posted.status).toBe(303);
    const confirm = await signedIn.browser.followWithin(kl.url, posted);
    expect(confirm.status).toBe(200);
    expect(hiddenField(confirm.text, 'xsrf')).toBeTruthy();
  });
});

test('an end-session request naming a return page but no client gets an error page saying why', async () => {
  const response = await new BrowserLikeClient().get(`${kl.url}/session/end?post_logout_redirect_uri=${encodeURIComponent('https://app.example.test/bye')}`);
  expect(response.status).toBe(400);
  expect(response.location).toBeUndefined();
  expect(response.text).toContain('does not say which app it comes from');
});
