import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import {
  authorizeUrl, basicAuth, createTestUser, exchangeCode, pkcePair, registerTestClient, signIn,
  type TestClient, type TestUser,
} from '../support/oidc-flow.ts';
import { parseSetCookie } from '../support/set-cookie.ts';

const HTML_SECURITY_HEADERS = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function expectHtmlSecurityHeaders(headers: Headers, body: string): void {
  for (const [name, value] of Object.entries(HTML_SECURITY_HEADERS)) expect(headers.get(name)).toBe(value);
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeTruthy();
  // Every inline style or script on the page carries this response's nonce.
  for (const tag of body.match(/<(style|script)\b[^>]*>/g) ?? []) expect(tag).toContain(`nonce="${nonce}"`);
  expect(headers.get('x-powered-by')).toBeNull();
}

describe('cookies and headers over plain http', () => {
  let kl: RunningKeyline;
  let client: TestClient;
  let user: TestUser;

  beforeAll(async () => {
    kl = await startKeyline();
    client = await registerTestClient(kl);
    user = await createTestUser(kl);
  });
  afterAll(() => kl.stop());

  test('every HTML page sends CSP with a nonce, frame-ancestors none, and the other protective headers', async () => {
    const browser = new BrowserLikeClient();
    const { challenge } = pkcePair();
    const login = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256' })));
    expect(login.text).toContain('Sign in');
    expectHtmlSecurityHeaders(login.headers, login.text);
    expect(login.headers.get('cache-control')).toContain('no-store');

    const consent = await browser.followWithin(kl.url, await browser.postForm(
      `${kl.url}${/action="([^"]+\/login)"/.exec(login.text)![1]}`,
      { email: user.email, password: user.password, csrf: hiddenField(login.text, 'csrf')! },
    ));
    expect(consent.text).toContain('wants to use your Keyline account');
    expectHtmlSecurityHeaders(consent.headers, consent.text);
    expect(consent.headers.get('cache-control')).toContain('no-store');

    const error = await browser.get(`${kl.url}/auth?client_id=nope`);
    expect(error.status).toBe(400);
    expectHtmlSecurityHeaders(error.headers, error.text);

    const signedIn = await signIn(kl, client, user);
    const tokens = await exchangeCode(kl, client, signedIn);
    const logout = await signedIn.browser.get(`${kl.url}/session/end?id_token_hint=${tokens.body.id_token}`);
    expect(logout.text).toContain('Sign out');
    expectHtmlSecurityHeaders(logout.headers, logout.text);
    const loggedOut = await signedIn.browser.postForm(`${kl.url}/session/end/confirm`, { xsrf: hiddenField(logout.text, 'xsrf')!, logout: 'yes' });
    const done = await signedIn.browser.followWithin(kl.url, loggedOut);
    expect(done.text).toContain('signed out of Keyline');
    expectHtmlSecurityHeaders(done.headers, done.text);
  });

  test('token, userinfo and introspection responses are no-store', async () => {
    const tokens = await exchangeCode(kl, client, await signIn(kl, client, user));
    expect(tokens.headers.get('cache-control')).toContain('no-store');
    const userinfo = await fetch(`${kl.url}/me`, { headers: { authorization: `Bearer ${tokens.body.access_token}` } });
    expect(userinfo.headers.get('cache-control')).toContain('no-store');
    const introspection = await fetch(`${kl.url}/token/introspection`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(client) },
      body: `token=${tokens.body.access_token}`,
    });
    expect(introspection.headers.get('cache-control')).toContain('no-store');
  });

  test('the authorization endpoint never sends CORS headers', async () => {
    const { challenge } = pkcePair();
    const response = await fetch(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256' }), {
      headers: { origin: 'https://evil.example.test' }, redirect: 'manual',
    });
    expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  test('cookies are HttpOnly, SameSite=Lax and signed, and not Secure over plain http', async () => {
    const { challenge } = pkcePair();
    const response = await fetch(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256' }), { redirect: 'manual' });
    const cookies = response.headers.getSetCookie().map(parseSetCookie);
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) {
      expect(cookie.attributes.httponly).toBe(true);
      expect(String(cookie.attributes.samesite).toLowerCase()).toMatch(/^(lax|strict)$/);
      expect(cookie.attributes.secure).toBeUndefined();
    }
    const names = cookies.map((cookie) => cookie.name);
    for (const name of names.filter((n) => !n.endsWith('.sig'))) expect(names).toContain(`${name}.sig`);
  });

  test('a new session id is issued at login: no cookie value from before login survives it', async () => {
    const browser = new BrowserLikeClient();
    const { challenge } = pkcePair();
    const login = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256' })));
    const before = new Set((await browser.jar.getCookies(kl.url)).map((cookie) => cookie.value));
    // a session from an earlier sign-in in the same browser must not be reused either
    const signedIn = await signIn(kl, client, user, { browser });
    const sessionBefore = (await browser.jar.getCookies(kl.url)).find((cookie) => cookie.key === 'keyline.session')?.value;
    expect(sessionBefore).toBeTruthy();
    expect(before.has(sessionBefore!)).toBe(false);
    expect(login.status).toBe(200);

    const again = await signIn(kl, client, user, { browser, params: { prompt: 'login' } });
    const sessionAfter = (await again.browser.jar.getCookies(kl.url)).find((cookie) => cookie.key === 'keyline.session')?.value;
    expect(sessionAfter).toBeTruthy();
    expect(sessionAfter).not.toBe(sessionBefore);
    // the old id is dead on the server too, not merely replaced in the browser
    expect(await kl.store.oidc.find('Session', sessionBefore!)).toBeUndefined();
    expect(await kl.store.oidc.find('Session', sessionAfter!)).toBeDefined();
    expect(signedIn.code).not.toBe(again.code);
  });
});

describe('behind a TLS-terminating proxy', () => {
  let kl: RunningKeyline;
  let client: TestClient;

  beforeAll(async () => {
    kl = await startKeyline({ config: { proxy: true, issuer: 'https://id.example.test' } });
    client = await registerTestClient(kl);
  });
  afterAll(() => kl.stop());

  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'id.example.test' };

  test('X-Forwarded-Proto: https makes discovery list https endpoints', async () => {
    const discovery = await (await fetch(`${kl.url}/.well-known/openid-configuration`, { headers: forwarded })).json() as Record<string, string>;
    expect(discovery.issuer).toBe('https://id.example.test');
    expect(discovery.token_endpoint).toMatch(/^https:\/\//);
    expect(discovery.jwks_uri).toMatch(/^https:\/\//);
  });

  test('cookies are Secure with __Host-/__Secure- prefixes, and HSTS is sent for at least a year', async () => {
    const { challenge } = pkcePair();
    const response = await fetch(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256' }), { headers: forwarded, redirect: 'manual' });
    const hsts = response.headers.get('strict-transport-security') ?? '';
    expect(Number(/max-age=(\d+)/.exec(hsts)?.[1])).toBeGreaterThanOrEqual(31536000);
    const cookies = response.headers.getSetCookie().map(parseSetCookie);
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) {
      expect(cookie.attributes.secure).toBe(true);
      expect(cookie.attributes.httponly).toBe(true);
      expect(cookie.name).toMatch(/^__(Host|Secure)-/);
      if (cookie.name.startsWith('__Host-')) {
        expect(cookie.attributes.path).toBe('/');
        expect(cookie.attributes.domain).toBeUndefined();
      }
    }
  });

  test('no HSTS for a request the proxy says was plain http', async () => {
    const response = await fetch(`${kl.url}/healthz`, { headers: { 'x-forwarded-proto': 'http' } });
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });
});
