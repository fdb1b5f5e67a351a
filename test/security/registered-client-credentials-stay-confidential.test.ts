import { adminApiIndicator } from '../../src/oidc/admin-api-resource.ts';
import { allBackends } from '../support/backends.ts';
import { manageRegistration, registerDynamically } from '../support/dynamic-registration.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { runCli } from '../support/run-cli.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

/**
 * The CLI refuses client_credentials for a public client (no secret: anyone who knows the
 * client_id would get its tokens). The same rule holds at /reg, and for a client's own RFC 7592
 * update: a client an administrator made an admin API client must not turn itself public and
 * hand the admin API to whoever reads its client_id.
 */
describe.each(backends)('dynamically registered client_credentials clients stay confidential on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, {
    config: { registration: { dynamic: true, dynamicClients: { grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'], scopes: ['openid'] } } },
  }, (fixture) => {
    ({ kl } = fixture);
  });

  const machine = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [] };

  test('/reg refuses client_credentials without client authentication', async () => {
    const refused = await registerDynamically(kl, { ...machine, token_endpoint_auth_method: 'none' });
    expect({ status: refused.status, error: refused.body.error }).toEqual({ status: 400, error: 'invalid_client_metadata' });
  });

  test('an admin API client cannot make itself public by its own PUT; no secret-less admin token is issued', async () => {
    const registered = await registerDynamically(kl, machine);
    expect(registered.status).toBe(201);
    const client = registered.body;
    const admin = adminApiIndicator(kl.url);
    expect((await runCli(kl, ['clients', 'update', client.client_id, '--resource', admin, '--scopes', 'keyline:admin'])).code).toBe(0);

    const current = (await manageRegistration(client, client.registration_access_token, 'GET')).body;
    const { client_secret: _secret, registration_access_token: _token, registration_client_uri: _uri, ...metadata } = current;
    const update = await manageRegistration(client, client.registration_access_token, 'PUT', { ...metadata, token_endpoint_auth_method: 'none' });
    expect({ status: update.status, error: update.body.error }).toEqual({ status: 400, error: 'invalid_client_metadata' });
    expect((await kl.store.clients.find(client.client_id))!.metadata.token_endpoint_auth_method).toBe('client_secret_basic');

    const secretless = await fetch(`${kl.url}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id, scope: 'keyline:admin', resource: admin }),
    });
    expect(secretless.status).toBe(401);
  });
});
