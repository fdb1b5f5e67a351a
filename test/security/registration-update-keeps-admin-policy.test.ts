import { allBackends } from '../support/backends.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { runCli } from '../support/run-cli.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

interface Registered {
  client_id: string;
  client_secret?: string;
  registration_access_token: string;
  registration_client_uri: string;
  [key: string]: unknown;
}

const API = 'https://orders-api.example.test';
const webApp = { redirect_uris: ['https://app.example.test/callback'], client_name: 'Self-Managed App' };

describe.each(backends)('RFC 7592 updates against administrator policy on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ kl, cleanup } = await startOnBackend(backend, { config: { registration: { dynamic: true } } }));
    expect((await runCli(kl, ['resources', 'add', API, '--scopes', 'orders:read'])).code).toBe(0);
  });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
  });

  async function registered(): Promise<Registered> {
    const created = await runCli(kl, ['registration', 'token', 'create']);
    const token = (JSON.parse(created.stdout) as { initial_access_token: string }).initial_access_token;
    const answer = await fetch(`${kl.url}/reg`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(webApp),
    });
    expect(answer.status).toBe(201);
    return await answer.json() as Registered;
  }

  const manage = (client: Registered, token: string, init: RequestInit = {}) => fetch(client.registration_client_uri, {
    ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });

  async function put(client: Registered, token: string, body: Record<string, unknown>) {
    const answer = await manage(client, token, { method: 'PUT', body: JSON.stringify(body) });
    return { status: answer.status, body: await answer.json() as Registered & { error?: string } };
  }

  const stored = async (clientId: string) => (await kl.store.clients.find(clientId))!.metadata;

  test('an administrator\'s --mfa required, resources, API scopes, PAR and DPoP survive a PUT that leaves them out, and cannot be turned off by one', async () => {
    const client = await registered();
    const update = await runCli(kl, ['clients', 'update', client.client_id, '--mfa', 'required', '--resource', API, '--scopes', 'openid orders:read', '--require-par', '--dpop-bound']);
    expect(update.code).toBe(0);

    const renamed = await put(client, client.registration_access_token, { ...webApp, client_id: client.client_id, client_name: 'Renamed' });
    expect(renamed.status).toBe(200);
    const policy = {
      client_name: 'Renamed', keyline_require_mfa: true, keyline_resources: [API], keyline_api_scopes: ['orders:read'],
      require_pushed_authorization_requests: true, dpop_bound_access_tokens: true,
    };
    expect(await stored(client.client_id)).toMatchObject(policy);
    expect(renamed.body).toMatchObject(policy);

    let token = renamed.body.registration_access_token;
    for (const downgrade of [
      { keyline_require_mfa: false }, { keyline_resources: [] }, { keyline_api_scopes: ['orders:write'] },
      { require_pushed_authorization_requests: false }, { dpop_bound_access_tokens: false },
    ]) {
      const refused = await put(client, token, { ...webApp, client_id: client.client_id, ...downgrade });
      expect({ downgrade, status: refused.status, error: refused.body.error }).toEqual({ downgrade, status: 400, error: 'invalid_client_metadata' });
    }
    expect(await stored(client.client_id)).toMatchObject(policy);
    // The refusals did not use up the token.
    const again = await put(client, token, { ...webApp, client_id: client.client_id });
    expect(again.status).toBe(200);
    token = again.body.registration_access_token;
    expect(await stored(client.client_id)).toMatchObject({ ...policy, client_name: webApp.client_name });
  });

  test('a PUT of exactly what GET returned is accepted, before and after an administrator set policy', async () => {
    const client = await registered();
    let token = client.registration_access_token;
    for (const adminStep of [[], ['clients', 'update', client.client_id, '--mfa', 'required']]) {
      if (adminStep.length) expect((await runCli(kl, adminStep)).code).toBe(0);
      const read = await manage(client, token);
      expect(read.status).toBe(200);
      const asRead = await read.json() as Registered;
      const roundTrip = await put(client, token, asRead);
      expect({ status: roundTrip.status, error: roundTrip.body.error }).toEqual({ status: 200, error: undefined });
      token = roundTrip.body.registration_access_token;
    }
    expect(await stored(client.client_id)).toMatchObject({ keyline_require_mfa: true, client_name: webApp.client_name });
  });

  test('a PUT carrying the client\'s real secret is accepted, one carrying another secret or the stored hash is refused', async () => {
    const client = await registered();
    const storedHash = (await stored(client.client_id)).client_secret as string;
    for (const wrong of ['not-the-secret', storedHash, `${client.client_secret}x`]) {
      const refused = await put(client, client.registration_access_token, { ...webApp, client_id: client.client_id, client_secret: wrong });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('invalid_request');
    }
    const accepted = await put(client, client.registration_access_token, { ...webApp, client_id: client.client_id, client_secret: client.client_secret, client_name: 'With Secret' });
    expect(accepted.status).toBe(200);
    expect(accepted.body).not.toHaveProperty('client_secret');
    expect(await stored(client.client_id)).toMatchObject({ client_name: 'With Secret', client_secret: storedHash });
  });
});
