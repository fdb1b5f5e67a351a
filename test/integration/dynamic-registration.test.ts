import { allBackends } from '../support/backends.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { authorizeUrl, tokenRequest } from '../support/oidc-flow.ts';
import { runCli } from '../support/run-cli.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

interface Registered {
  client_id: string;
  client_secret?: string;
  registration_access_token: string;
  registration_client_uri: string;
  [key: string]: unknown;
}

describe.each(backends)('dynamic client registration (RFC 7591/7592) on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ kl, cleanup } = await startOnBackend(backend, {
      config: { registration: { dynamic: true, dynamicClients: { grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'], scopes: ['openid', 'email'] } } },
    }));
  });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
  });

  async function initialAccessToken(...options: string[]): Promise<string> {
    const created = await runCli(kl, ['registration', 'token', 'create', ...options]);
    expect(created.code).toBe(0);
    return (JSON.parse(created.stdout) as { initial_access_token: string }).initial_access_token;
  }

  function register(metadata: Record<string, unknown>, token?: string) {
    return fetch(`${kl.url}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(metadata),
    });
  }

  const webApp = { redirect_uris: ['https://app.example.test/callback'], client_name: 'Registered App' };

  test('without an initial access token registration is refused with 401', async () => {
    const refused = await register(webApp);
    expect(refused.status).toBe(401);
    expect((await refused.json() as { error: string }).error).toBe('invalid_token');
    const wrong = await register(webApp, 'not-an-initial-access-token');
    expect(wrong.status).toBe(401);
  });

  test('a registered client can read, update and delete itself, and its secret is stored only as a hash', async () => {
    const created = await register({ ...webApp, grant_types: ['client_credentials'], response_types: [] }, await initialAccessToken());
    expect(created.status).toBe(201);
    const client = await created.json() as Registered;
    expect(client.client_secret).toBeTruthy();
    expect(client.registration_client_uri).toBe(`${kl.url}/reg/${client.client_id}`);
    expect((await kl.store.clients.find(client.client_id))?.metadata.client_secret).toMatch(/^sha256:/);
    const asTestClient = { clientId: client.client_id, clientSecret: client.client_secret, redirectUri: '' };
    expect((await tokenRequest(kl, asTestClient, { grant_type: 'client_credentials' })).status).toBe(200);

    const manage = (token: string, init: RequestInit = {}) => fetch(client.registration_client_uri, {
      ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    const read = await manage(client.registration_access_token);
    expect(read.status).toBe(200);
    const readBack = await read.json() as Registered;
    expect(readBack.client_name).toBe('Registered App');
    expect(readBack).not.toHaveProperty('client_secret');

    const updated = await manage(client.registration_access_token, {
      method: 'PUT',
      body: JSON.stringify({ client_id: client.client_id, client_name: 'Renamed App', redirect_uris: webApp.redirect_uris, grant_types: ['client_credentials'], response_types: [] }),
    });
    expect(updated.status).toBe(200);
    const afterUpdate = await updated.json() as Registered;
    expect(afterUpdate.client_name).toBe('Renamed App');
    expect(afterUpdate.registration_access_token).not.toBe(client.registration_access_token);
    expect((await manage(client.registration_access_token)).status).toBe(401);
    expect((await tokenRequest(kl, asTestClient, { grant_type: 'client_credentials' })).status).toBe(200);

    expect((await manage(afterUpdate.registration_access_token, { method: 'DELETE' })).status).toBe(204);
    expect((await manage(afterUpdate.registration_access_token)).status).toBe(401);
    expect((await tokenRequest(kl, asTestClient, { grant_type: 'client_credentials' })).body.error).toBe('invalid_client');
  });

  test.each([
    ['a plain-http redirect URI off loopback', { redirect_uris: ['http://app.example.test/cb'] }, 'invalid_redirect_uri'],
    ['a custom-scheme redirect URI', { redirect_uris: ['com.example.app:/cb'] }, 'invalid_redirect_uri'],
    ['a grant type the operator does not allow', { ...webApp, grant_types: ['urn:ietf:params:oauth:grant-type:device_code'] }, 'invalid_client_metadata'],
    ['a scope the operator does not allow', { ...webApp, scope: 'openid profile' }, 'invalid_client_metadata'],
    ['the implicit response type', { ...webApp, response_types: ['id_token'], grant_types: ['implicit'] }, 'invalid_client_metadata'],
    ['Keyline\'s "PKCE optional" flag', { ...webApp, keyline_pkce_optional: true }, 'invalid_client_metadata'],
  ])('policy: %s is refused', async (_case, metadata, error) => {
    const answer = await register(metadata, await initialAccessToken());
    expect(answer.status).toBe(400);
    expect((await answer.json() as { error: string }).error).toBe(error);
  });

  test('a loopback redirect registers a public client, which must still use PKCE', async () => {
    const answer = await register({ redirect_uris: ['http://127.0.0.1:7777/cb'], token_endpoint_auth_method: 'none' }, await initialAccessToken());
    expect(answer.status).toBe(201);
    const client = await answer.json() as Registered;
    expect(client.client_secret).toBeUndefined();
    const withoutPkce = await new BrowserLikeClient().get(authorizeUrl(kl, { clientId: client.client_id, redirectUri: 'http://127.0.0.1:7777/cb' }, { scope: 'openid' }));
    expect(new URL(withoutPkce.location!).searchParams.get('error_description')).toMatch(/PKCE/i);
  });

  test('an initial access token made with --max-uses 2 registers exactly two clients, even when asked at once', async () => {
    const token = await initialAccessToken('--max-uses', '2', '--expires', '1h');
    const answers = await Promise.all(Array.from({ length: 6 }, () => register(webApp, token)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, 201, 401, 401, 401, 401]);
  });

  test('the CLI refuses a malformed --max-uses or --expires with one line', async () => {
    const badUses = await runCli(kl, ['registration', 'token', 'create', '--max-uses', 'lots']);
    expect(badUses.code).toBe(2);
    expect(badUses.stderr).toMatch(/--max-uses takes a whole number/);
    const badExpiry = await runCli(kl, ['registration', 'token', 'create', '--expires', 'soon']);
    expect(badExpiry.code).toBe(2);
  });
});

test('with registration.dynamic off (the default), /reg does not exist', async () => {
  const kl = await startKeyline();
  try {
    const answer = await fetch(`${kl.url}/reg`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(answer.status).toBe(404);
  } finally {
    await kl.stop();
  }
});
