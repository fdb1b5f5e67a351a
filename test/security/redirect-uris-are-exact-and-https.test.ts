/**
 * Issue 19, item 19: a redirect URI is compared exactly, so `https://*.example.com/cb` can only
 * mislead the administrator who typed it; and a code sent over plain http to another machine can
 * be read on the way. One rule for every way a client is made or changed: the CLI (add and update),
 * the admin API and dynamic registration (/reg). Plain http only to the machine itself (RFC 8252).
 */
import { ADMIN_SCOPE, AdminSession } from '../support/admin-api.ts';
import { runCli } from '../support/run-cli.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

let kl: RunningKeyline;
let admin: AdminSession;
beforeAll(async () => {
  kl = await startKeyline({ config: { registration: { dynamic: true } } });
  admin = await AdminSession.open(kl, ADMIN_SCOPE);
});
afterAll(() => kl.stop());

const REFUSED: Array<[string, string, RegExp]> = [
  ['a wildcard host', 'https://*.example.test/cb', /redirect URIs: "https:\/\/\*\.example\.test\/cb" .*exactly.*wildcards/],
  ['a percent-encoded wildcard host', 'https://%2A.example.test/cb', /wildcards/],
  ['a wildcard path', 'https://app.example.test/*', /wildcards/],
  ['plain http to another machine', 'http://app.example.test/cb', /redirect URIs: "http:\/\/app\.example\.test\/cb" .*https.*loopback/],
  ['plain http to a private address', 'http://10.0.0.8/cb', /https/],
];

const ACCEPTED = ['https://app.example.test/cb', 'http://127.0.0.1:7777/cb', 'http://localhost:7777/cb', 'http://[::1]:7777/cb'];

async function clientNamed(name: string) {
  return (await kl.store.clients.list()).filter((client) => client.metadata.client_name === name);
}

test.each(REFUSED)('clients add refuses %s with a clear message and stores nothing', async (_case, uri, message) => {
  const result = await runCli(kl, ['clients', 'add', '--name', 'Refused add', '--redirect-uri', uri]);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(/^keyline: [^\n]+\n$/);
  expect(result.stderr).toMatch(message);
  expect(await clientNamed('Refused add')).toEqual([]);
});

test.each(REFUSED)('clients add refuses %s as a post-logout redirect URI too', async (_case, uri) => {
  const result = await runCli(kl, ['clients', 'add', '--name', 'Refused logout', '--redirect-uri', 'https://app.example.test/cb', '--post-logout-redirect-uri', uri]);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(/post-logout redirect URIs: /);
  expect(await clientNamed('Refused logout')).toEqual([]);
});

test('clients update refuses them too and leaves the client as it was', async () => {
  const added = await runCli(kl, ['clients', 'add', '--name', 'Updated', '--redirect-uri', 'https://app.example.test/cb']);
  expect(added.code).toBe(0);
  const clientId = (JSON.parse(added.stdout) as { client_id: string }).client_id;
  for (const [, uri, message] of REFUSED) {
    const result = await runCli(kl, ['clients', 'update', clientId, '--redirect-uri', uri]);
    expect([uri, result.code]).toEqual([uri, 1]);
    expect([uri, result.stderr]).toEqual([uri, expect.stringMatching(message)]);
  }
  expect((await kl.store.clients.find(clientId))?.metadata.redirect_uris).toEqual(['https://app.example.test/cb']);
});

test('the admin API refuses them as a problem naming redirectUris', async () => {
  for (const [, uri, message] of REFUSED) {
    const answer = await admin.call('POST', '/clients', { name: 'Admin refused', redirectUris: [uri] });
    expect([uri, answer.status]).toEqual([uri, 422]);
    expect([uri, answer.body.detail]).toEqual([uri, expect.stringMatching(message)]);
    expect(answer.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: '#/redirectUris' })]));
  }
  expect(await clientNamed('Admin refused')).toEqual([]);
});

test('dynamic registration refuses them as invalid_redirect_uri', async () => {
  const created = await runCli(kl, ['registration', 'token', 'create']);
  const token = (JSON.parse(created.stdout) as { initial_access_token: string }).initial_access_token;
  for (const [, uri] of REFUSED) {
    const answer = await fetch(`${kl.url}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ client_name: 'Registered refused', redirect_uris: [uri] }),
    });
    expect([uri, answer.status]).toEqual([uri, 400]);
    expect([uri, (await answer.json() as { error: string }).error]).toEqual([uri, 'invalid_redirect_uri']);
  }
  expect(await clientNamed('Registered refused')).toEqual([]);
});

test.each(ACCEPTED)('%s is still accepted', async (uri) => {
  const result = await runCli(kl, ['clients', 'add', '--name', `Accepted ${uri}`, '--redirect-uri', uri]);
  expect([result.stderr, result.code]).toEqual(['', 0]);
});

test('a registered client cannot give itself such a URI through its own update (RFC 7592 PUT)', async () => {
  const created = await runCli(kl, ['registration', 'token', 'create']);
  const token = (JSON.parse(created.stdout) as { initial_access_token: string }).initial_access_token;
  const registered = await (await fetch(`${kl.url}/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ client_name: 'Self-updating', redirect_uris: ['https://app.example.test/cb'] }),
  })).json() as Record<string, unknown> & { registration_client_uri: string; registration_access_token: string; client_id: string };
  for (const [, uri] of REFUSED) {
    const { registration_access_token: _token, registration_client_uri: _uri, client_secret_expires_at: _expires, client_id_issued_at: _issued, client_secret: _secret, ...metadata } = registered;
    const answer = await fetch(registered.registration_client_uri, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${registered.registration_access_token}` },
      body: JSON.stringify({ ...metadata, redirect_uris: [uri] }),
    });
    expect([uri, answer.status]).toEqual([uri, 400]);
    expect([uri, (await answer.json() as { error: string }).error]).toEqual([uri, 'invalid_redirect_uri']);
  }
  expect((await kl.store.clients.find(registered.client_id))?.metadata.redirect_uris).toEqual(['https://app.example.test/cb']);
});
