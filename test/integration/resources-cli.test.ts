import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { startKeyline, temporaryDirectory, type RunningKeyline } from '../support/start-keyline.ts';
import { runCli } from '../support/run-cli.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { authorizeUrl, pkcePair } from '../support/oidc-flow.ts';

const API = 'https://orders.example.test';
// The server and the CLI read the same config file, as they do in production.
const configDirectory = temporaryDirectory();
const configFile = join(configDirectory.path, 'keyline.yaml');
writeFileSync(configFile, 'resources:\n  https://config-api.example.test:\n    scopes: [legacy]\n');
const CONFIG_RESOURCES = { 'https://config-api.example.test': { scopes: ['legacy'] } };

let kl: RunningKeyline;
beforeAll(async () => { kl = await startKeyline({ config: { resources: CONFIG_RESOURCES } }); });
afterAll(async () => {
  await kl.stop();
  configDirectory.remove();
});

const keyline = (target: RunningKeyline, args: string[]) => runCli(target, args, '', { KEYLINE_CONFIG: configFile });

async function clientCredentials(clientId: string, secret: string, scope: string, extra: Record<string, string> = {}) {
  const response = await fetch(`${kl.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, ...extra }).toString(),
  });
  return { status: response.status, body: await response.json() as Record<string, string> };
}

test('an API added with the CLI is served by the running server at once: scopes, signing algorithm and token lifetime', async () => {
  const added = await keyline(kl, ['resources', 'add', API, '--name', 'Orders API', '--scopes', 'orders:read,orders:write', '--signing-alg', 'ES256', '--token-ttl', '300']);
  expect(added.stderr).toBe('');
  expect(JSON.parse(added.stdout)).toMatchObject({ indicator: API, name: 'Orders API', scopes: ['orders:read', 'orders:write'], signingAlg: 'ES256', accessTokenTtl: 300 });

  const client = await keyline(kl, ['clients', 'add', '--name', 'Billing worker', '--grant-types', 'client_credentials', '--resource', API, '--scopes', 'orders:read']);
  expect(client.stderr).toBe('');
  const { client_id: clientId, client_secret: secret } = JSON.parse(client.stdout) as { client_id: string; client_secret: string };

  const token = await clientCredentials(clientId, secret, 'orders:read orders:write');
  expect(token.status).toBe(200);
  expect(decodeProtectedHeader(token.body.access_token!)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
  const claims = decodeJwt(token.body.access_token!);
  // The client was given orders:read only; orders:write is the API's but not the client's.
  expect(claims).toMatchObject({ aud: API, client_id: clientId, scope: 'orders:read' });
  expect(claims.exp! - claims.iat!).toBe(300);

  const listed = JSON.parse((await keyline(kl, ['resources', 'list', '--json'])).stdout) as Array<{ indicator: string; source: string }>;
  expect(listed).toEqual(expect.arrayContaining([
    expect.objectContaining({ indicator: API, source: 'store' }),
    expect.objectContaining({ indicator: 'https://config-api.example.test', source: 'config' }),
  ]));

  const refused = await keyline(kl, ['resources', 'remove', API]);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(new RegExp(`still given to client\\(s\\) ${clientId}`));
  expect((await keyline(kl, ['clients', 'update', clientId, '--resource', '', '--scopes', ''])).code).toBe(0);
  expect((await keyline(kl, ['resources', 'remove', API])).code).toBe(0);
  const after = await clientCredentials(clientId, secret, 'orders:read', { resource: API });
  expect(after.status).toBe(400);
  expect(after.body.error).toBe('invalid_target');
}, 60_000);

test('clients update changes a client on the running server: name, consent URIs and redirect URIs', async () => {
  const created = JSON.parse((await keyline(kl, ['clients', 'add', '--name', 'Before', '--redirect-uri', 'http://127.0.0.1:9/cb'])).stdout) as { client_id: string; client_secret: string };
  const updated = await keyline(kl, ['clients', 'update', created.client_id, '--name', 'After', '--logo-uri', 'https://after.example/logo.png',
    '--client-uri', 'https://after.example/', '--policy-uri', 'https://after.example/privacy', '--tos-uri', 'https://after.example/terms',
    '--redirect-uri', 'http://127.0.0.1:9/new-callback']);
  expect(updated.stderr).toBe('');
  const shown = JSON.parse(updated.stdout) as Record<string, unknown>;
  expect(shown).toMatchObject({
    client_name: 'After', logo_uri: 'https://after.example/logo.png', client_uri: 'https://after.example/',
    policy_uri: 'https://after.example/privacy', tos_uri: 'https://after.example/terms', redirect_uris: ['http://127.0.0.1:9/new-callback'],
  });
  expect(shown.client_secret).toBeUndefined();
  const stored = await kl.store.clients.find(created.client_id);
  expect(stored?.metadata.client_secret).toMatch(/^sha256:/);

  // Within the client cache's recheck interval the running server sees the change.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const browser = new BrowserLikeClient();
  const page = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, { clientId: created.client_id, redirectUri: 'http://127.0.0.1:9/new-callback' }, {
    code_challenge: pkcePair().challenge, code_challenge_method: 'S256',
  })));
  expect(page.status).toBe(200);
  expect(page.text).toContain('to continue to After');

  const cleared = JSON.parse((await keyline(kl, ['clients', 'update', created.client_id, '--logo-uri', ''])).stdout) as Record<string, unknown>;
  expect(cleared.logo_uri).toBeUndefined();
  expect(cleared.client_name).toBe('After');
}, 60_000);

test.each([
  [['resources', 'add', 'not a url'], /is not a resource indicator/],
  [['resources', 'add', 'https://x.example.test', '--scopes', 'openid'], /"openid" cannot be an API scope \(it is an OpenID scope\)/],
  [['resources', 'add', 'https://x.example.test', '--signing-alg', 'HS256'], /--signing-alg: must be one of RS256, ES256, EdDSA, Ed25519/],
  [['resources', 'add', 'https://config-api.example.test'], /declared in the configuration/],
  [['resources', 'remove', 'https://never.example.test'], /no resource https:\/\/never\.example\.test/],
  [['clients', 'add', '--name', 'M', '--grant-types', 'client_credentials', '--resource', 'https://unknown.example.test'], /invalid client: resources: https:\/\/unknown\.example\.test is not known/],
  [['clients', 'add', '--name', 'M', '--grant-types', 'client_credentials', '--scopes', 'orders:delete'], /invalid client: scopes: "orders:delete" is not an OpenID scope/],
  [['clients', 'update', 'nobody', '--name', 'X'], /no client with id nobody/],
  [['clients', 'update', 'nobody'], /nothing to change/],
])('refuses with one line: keyline %j', async (args, message) => {
  const result = await keyline(kl, args);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
});

test('a client registered before API scopes had their own field keeps getting them (they were in `scope`)', async () => {
  await keyline(kl, ['resources', 'add', 'https://legacy.example.test', '--scopes', 'reports']);
  const created = JSON.parse((await keyline(kl, ['clients', 'add', '--name', 'Old', '--grant-types', 'client_credentials',
    '--resource', 'https://legacy.example.test', '--scopes', 'reports'])).stdout) as { client_id: string; client_secret: string };
  const stored = (await kl.store.clients.find(created.client_id))!;
  const { keyline_api_scopes: _apart, ...old } = stored.metadata;
  await kl.store.clients.update(created.client_id, { ...old, scope: 'reports' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const token = await clientCredentials(created.client_id, created.client_secret, 'reports');
  expect(token.status).toBe(200);
  expect(decodeJwt(token.body.access_token!).scope).toBe('reports');
}, 30_000);
