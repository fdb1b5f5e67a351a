import { adminApiIndicator } from '../../src/oidc/admin-api-resource.ts';
import { allBackends } from '../support/backends.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { runCli } from '../support/run-cli.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

interface Registered {
  client_id: string;
  registration_access_token: string;
  registration_client_uri: string;
  [key: string]: unknown;
}

/**
 * The CLI refuses client_credentials for a public client (no secret: anyone who knows the
 * client_id would get its tokens). The same rule holds at /reg, and for a client's own RFC 7592
 * update: a client an administrator made an admin API client must not turn itself public and
 * hand the admin API to whoever reads its client_id.
 */
describe.each(backends)('dynamically registered client_credentials clients stay confidential on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ kl, cleanup } = await startOnBackend(backend, {
      config: { registration: { dynamic: true, dynamicClients: { grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'], scopes: ['openid'] } } },
    }));
  });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
  });

  async function register(body: Record<string, unknown>) {
    const created = await runCli(kl, ['registration', 'token', 'create']);
    const iat = (JSON.parse(created.stdout) as { initial_access_token: string }).initial_access_token;
    const answer = await fetch(`${kl.url}/reg`, {
      method: 'POST', headers: { authorization: `Bearer ${iat}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    return { status: answer.status, body: await answer.json() as Registered & { error?: string } };
  }

  const machine = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [] };

  test('/reg refuses client_credentials without client authentication', async () => {
    const refused = await register({ ...machine, token_endpoint_auth_method: 'none' });
    expect({ status: refused.status, error: refused.body.error }).toEqual({ status: 400, error: 'invalid_client_metadata' });
  });

  test('an admin API client cannot make itself public by its own PUT; no secret-less admin token is issued', async () => {
    const registered = await register(machine);
    expect(registered.status).toBe(201);
    const client = registered.body;
    const admin = adminApiIndicator(kl.url);
    expect((await runCli(kl, ['clients', 'update', client.client_id, '--resource', admin, '--scopes', 'keyline:admin'])).code).toBe(0);

    const current = await (await fetch(client.registration_client_uri, { headers: { authorization: `Bearer ${client.registration_access_token}` } })).json() as Registered;
    const { client_secret: _secret, registration_access_token: _token, registration_client_uri: _uri, ...metadata } = current;
    const update = await fetch(client.registration_client_uri, {
      method: 'PUT',
      headers: { authorization: `Bearer ${client.registration_access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...metadata, token_endpoint_auth_method: 'none' }),
    });
    expect({ status: update.status, error: (await update.json() as { error?: string }).error }).toEqual({ status: 400, error: 'invalid_client_metadata' });
    expect((await kl.store.clients.find(client.client_id))!.metadata.token_endpoint_auth_method).toBe('client_secret_basic');

    const secretless = await fetch(`${kl.url}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id, scope: 'keyline:admin', resource: admin }),
    });
    expect(secretless.status).toBe(401);
  });
});
