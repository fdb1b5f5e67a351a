import { allBackends } from '../support/backends.ts';
import { manageRegistration, registerDynamically, type DynamicClient } from '../support/dynamic-registration.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { runCli } from '../support/run-cli.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * What an administrator set with `clients update` on a dynamically registered client: a PUT that
 * leaves `scope` out keeps the client's scope (it does not reset it to every scope registration
 * offers, undoing the administrator's narrowing), and a GET→PUT round trip of a client the
 * administrator gave a grant type registration does not offer is accepted.
 */
describe.each(backends)('RFC 7592 updates keep the administrator\'s scope and grant types on $name', (backend) => {
  let kl: RunningKeyline;
  useKeyline(backend, { config: { registration: { dynamic: true } } }, (fixture) => {
    ({ kl } = fixture);
  });

  const webApp = { redirect_uris: ['https://app.example.test/callback'] };

  async function registered(): Promise<DynamicClient> {
    const answer = await registerDynamically(kl, webApp);
    expect(answer.status).toBe(201);
    return answer.body;
  }

  test('a PUT without scope keeps the scope an administrator narrowed', async () => {
    const client = await registered();
    expect((await runCli(kl, ['clients', 'update', client.client_id, '--scopes', 'openid'])).code).toBe(0);
    const updated = await manageRegistration(client, client.registration_access_token, 'PUT', { ...webApp, client_id: client.client_id });
    expect(updated.status).toBe(200);
    expect(updated.body.scope).toBe('openid');
    expect((await kl.store.clients.find(client.client_id))!.metadata.scope).toBe('openid');
  });

  test('GET→PUT of a client an administrator gave a grant type registration does not offer', async () => {
    const client = await registered();
    expect((await runCli(kl, ['clients', 'update', client.client_id, '--grant-types', `authorization_code,refresh_token,${DEVICE_CODE}`])).code).toBe(0);
    const current = (await manageRegistration(client, client.registration_access_token, 'GET')).body;
    const roundTrip = await manageRegistration(client, client.registration_access_token, 'PUT', current);
    expect({ status: roundTrip.status, error: roundTrip.body.error_description }).toEqual({ status: 200, error: undefined });
    expect((await kl.store.clients.find(client.client_id))!.metadata.grant_types).toEqual(['authorization_code', 'refresh_token', DEVICE_CODE]);
    // A grant type neither offered nor held is still refused.
    const widened = await manageRegistration(client, roundTrip.body.registration_access_token, 'PUT', { ...webApp, client_id: client.client_id, grant_types: ['authorization_code', 'client_credentials'] });
    expect(widened.status).toBe(400);
  });
});
