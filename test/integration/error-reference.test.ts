import { sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { authorizeUrl, pkcePair, type TestClient } from '../support/oidc-flow.ts';

let kl: RunningKeyline;
let client: TestClient;
useKeyline(sqliteBackend, {}, (ready) => { ({ kl, client } = ready); });

interface RequestLine {
  msg: string;
  requestId: string;
  status: number;
  error?: string;
  path: string;
}

/** The one request log line for a request id, once the asynchronous logger has written it. */
async function requestLine(requestId: string): Promise<RequestLine> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const line = kl.logs.map((text) => JSON.parse(text) as RequestLine).find((entry) => entry.msg === 'request' && entry.requestId === requestId);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no request log line for ${requestId}`);
}

test.each([
  ['an unknown client', () => `${kl.url}/auth?client_id=nobody&response_type=code&scope=openid`, 400, 'invalid_client'],
  ['a redirect URI the client did not register', () => authorizeUrl(kl, client, { redirect_uri: 'https://elsewhere.example/cb', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }), 400, 'invalid_redirect_uri'],
  ['an interaction that does not exist', () => `${kl.url}/interaction/gone`, 400, 'invalid_request'],
  ['an unknown path', () => `${kl.url}/no/such/page`, 404, 'not_found'],
])('the reference on the page for %s is in that request\'s log line, with the OAuth error code', async (_what, url, status, code) => {
  const response = await fetch(url(), { headers: { accept: 'text/html' } });
  expect(response.status).toBe(status);
  const html = await response.text();
  const reference = /Reference: ([\w-]+)/.exec(html)?.[1];
  expect(reference).toBeDefined();
  expect(html).toContain(`Error code: ${code}`);
  expect(html).not.toMatch(/error_description|redirect_uri did not match|client is invalid/);
  expect(await requestLine(reference!)).toMatchObject({ status, error: code, requestId: reference });
});

test('a JSON 4xx answered by oidc-provider itself is logged with its error code and request id', async () => {
  const response = await fetch(`${kl.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'support-ticket-42' },
    body: 'grant_type=client_credentials&client_id=nobody&client_secret=wrong',
  });
  expect(response.status).toBe(401);
  expect(await requestLine('support-ticket-42')).toMatchObject({ status: 401, error: 'invalid_client', path: '/token' });
});

test('an unknown path asked for as JSON gets a JSON 404, not a page and not plain text', async () => {
  const response = await fetch(`${kl.url}/api/nothing`, { headers: { accept: 'application/json' } });
  expect(response.status).toBe(404);
  expect(await response.json()).toEqual({ error: 'not_found', error_description: 'There is nothing at this address.' });
});

test('a successful request\'s log line carries no error field', async () => {
  await fetch(`${kl.url}/healthz`, { headers: { 'x-request-id': 'healthy-1' } });
  expect((await requestLine('healthy-1')).error).toBeUndefined();
});
