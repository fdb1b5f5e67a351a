import type { RunningKeyline } from '../support/start-keyline.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { sqliteBackend } from '../support/backends.ts';
import { basicAuth, type TestClient } from '../support/oidc-flow.ts';


/** What java.net.HttpURLConnection sends when the caller sets no Accept (Nimbus, Spring Security). */
const JDK_ACCEPT = 'text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2';
const ACCEPTS = [['the JDK default Accept', JDK_ACCEPT], ['Accept: text/html', 'text/html']] as const;

interface Call {
  name: string;
  method: string;
  path: string;
  form?: Record<string, string>;
  json?: unknown;
  headers?: (client: TestClient) => Record<string, string>;
}

const wrongSecret = (client: TestClient) => ({ authorization: basicAuth({ ...client, clientSecret: 'not-the-secret' }) });

/** Failing calls to every endpoint a program (not a person) talks to. */
const CALLS: Call[] = [
  { name: 'token without client authentication', method: 'POST', path: '/token', form: { grant_type: 'authorization_code', code: 'x', redirect_uri: 'http://127.0.0.1:9/callback' } },
  { name: 'token with a wrong secret', method: 'POST', path: '/token', form: { grant_type: 'client_credentials' }, headers: wrongSecret },
  { name: 'token with an unknown code', method: 'POST', path: '/token', form: { grant_type: 'authorization_code', code: 'nope', redirect_uri: 'http://127.0.0.1:9/callback', code_verifier: 'a'.repeat(43) }, headers: (client) => ({ authorization: basicAuth(client) }) },
  { name: 'token by GET', method: 'GET', path: '/token' },
  { name: 'introspection without client authentication', method: 'POST', path: '/token/introspection', form: { token: 'x' } },
  { name: 'introspection by GET', method: 'GET', path: '/token/introspection' },
  { name: 'revocation with a wrong secret', method: 'POST', path: '/token/revocation', form: { token: 'x' }, headers: wrongSecret },
  { name: 'UserInfo without a token', method: 'GET', path: '/me' },
  { name: 'UserInfo with a bad token', method: 'GET', path: '/me', headers: () => ({ authorization: 'Bearer not-a-token' }) },
  { name: 'UserInfo by DELETE', method: 'DELETE', path: '/me' },
  { name: 'device authorization for an unknown client', method: 'POST', path: '/device/auth', form: { client_id: 'no-such-client' } },
  { name: 'PAR without client authentication', method: 'POST', path: '/request', form: { response_type: 'code' } },
  { name: 'PAR by GET', method: 'GET', path: '/request' },
  { name: 'registration without an initial access token', method: 'POST', path: '/reg', json: { redirect_uris: ['https://rp.example/cb'] } },
  { name: 'registration with a bad body', method: 'POST', path: '/reg', json: { redirect_uris: 'not-a-list' }, headers: () => ({ authorization: 'Bearer nope' }) },
  { name: 'registration management with a bad token', method: 'GET', path: '/reg/some-client', headers: () => ({ authorization: 'Bearer nope' }) },
  { name: 'registration management by PATCH', method: 'PATCH', path: '/reg/some-client' },
  { name: 'JWKS by POST', method: 'POST', path: '/jwks', form: {} },
  { name: 'discovery by POST', method: 'POST', path: '/.well-known/openid-configuration', form: {} },
  { name: 'an unknown well-known document', method: 'GET', path: '/.well-known/nothing-here' },
  { name: 'the admin API without a token', method: 'GET', path: '/admin/v1/users' },
  { name: 'the admin API at an unknown path', method: 'GET', path: '/admin/v1/nothing-here' },
  { name: 'signals stream management without a token', method: 'GET', path: '/ssf/streams' },
  { name: 'signals polling without a token', method: 'POST', path: '/ssf/poll/some-stream', json: {} },
  { name: 'signals at an unknown path', method: 'GET', path: '/ssf/nothing-here' },
  { name: 'the signals configuration by DELETE', method: 'DELETE', path: '/.well-known/ssf-configuration' },
];

// How an answer is rendered does not depend on the store: one backend shows it.
describe('machine endpoints answer JSON whatever Accept says', () => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(sqliteBackend, { config: { registration: { dynamic: true } } }, (ready) => { ({ kl, client } = ready); });

  describe.each(ACCEPTS)('with %s', (_label, accept) => {
    test.each(CALLS.map((call) => [call.name, call] as const))('%s', async (_name, call) => {
      const headers: Record<string, string> = { accept, ...call.headers?.(client) };
      let body: string | undefined;
      if (call.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(call.form).toString();
      } else if (call.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(call.json);
      }
      const response = await fetch(new URL(call.path, kl.url), { method: call.method, headers, body });
      const text = await response.text();
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.headers.get('content-type')).toMatch(/^application\/(problem\+)?json/);
      const parsed = JSON.parse(text) as { error?: unknown; title?: unknown };
      // OAuth errors name an `error`; the admin API answers RFC 9457 problem details.
      expect(typeof (response.headers.get('content-type')!.startsWith('application/problem+json') ? parsed.title : parsed.error)).toBe('string');
    });
  });

  test('a person\'s pages still answer HTML errors', async () => {
    const response = await fetch(new URL('/auth?client_id=no-such-client', kl.url), { headers: { accept: 'text/html' } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const missing = await fetch(new URL('/no-such-page', kl.url), { headers: { accept: 'text/html' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^text\/html/);
  });
});
