/**
 * Issue 19, item 18 (review): a dynamically registered client that an administrator put under the
 * FAPI 2.0 profile (`clients update --profile fapi2`) could shed it with its own RFC 7592 PUT: a PUT
 * without `keyline_profile` stored the client with no profile at all, and one that kept the profile
 * could still switch itself to a client secret (or to no authentication), which the profile forbids
 * (private_key_jwt only). The profile and what it requires are the administrator's: a client's
 * update keeps them or is refused, whatever it sends.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allBackends, type Backend } from '../support/backends.ts';
import { clientKey } from '../support/client-keys.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { runCli } from '../support/run-cli.ts';
import { temporaryDirectory, type RunningKeyline } from '../support/start-keyline.ts';

const backends: Backend[] = await allBackends();
afterAll(stopMongoTestServer);

const key = await clientKey('fapi-dcr-key');

describe.each(backends)('a FAPI 2.0 client updating its own registration on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  const files = temporaryDirectory();

  beforeAll(async () => {
    ({ kl, cleanup } = await startOnBackend(backend, { config: { registration: { dynamic: true } } }));
  });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
    files.remove();
  });

  interface Registered extends Record<string, unknown> {
    client_id: string;
    registration_client_uri: string;
    registration_access_token: string;
  }

  /** A client registered over /reg with private_key_jwt, then put under the profile by the administrator. */
  async function fapiClientRegisteredDynamically(): Promise<Registered> {
    const created = await runCli(kl, ['registration', 'token', 'create']);
    const token = (JSON.parse(created.stdout) as { initial_access_token: string }).initial_access_token;
    const answer = await fetch(`${kl.url}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        client_name: 'Bank app', redirect_uris: ['https://bank.example.test/cb'], token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [key.publicJwk] }, scope: 'openid offline_access',
      }),
    });
    expect(answer.status).toBe(201);
    const registered = await answer.json() as Registered;
    const jwksFile = join(files.path, `${registered.client_id}.json`);
    writeFileSync(jwksFile, JSON.stringify({ keys: [key.publicJwk] }));
    // A generated client_id may begin with '-': after '--' it is never read as an option.
    const promoted = await runCli(kl, ['clients', 'update', '--profile', 'fapi2', '--', registered.client_id]);
    expect(promoted.stderr).toBe('');
    expect(promoted.code).toBe(0);
    return registered;
  }

  function put(registered: Registered, metadata: Record<string, unknown>): Promise<Response> {
    return fetch(registered.registration_client_uri, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${registered.registration_access_token}` },
      body: JSON.stringify({ client_id: registered.client_id, ...metadata }),
    });
  }

  async function stored(clientId: string): Promise<Record<string, unknown> | undefined> {
    return (await kl.store.clients.find(clientId))?.metadata;
  }

  const base = {
    client_name: 'Bank app', redirect_uris: ['https://bank.example.test/cb'], jwks: { keys: [key.publicJwk] }, scope: 'openid offline_access',
  };

  test.each([
    ['leaves the profile out and keeps private_key_jwt', { token_endpoint_auth_method: 'private_key_jwt' }],
    ['switches to a client secret', { token_endpoint_auth_method: 'client_secret_basic' }],
    ['becomes a public client', { token_endpoint_auth_method: 'none' }],
    ['turns pushed requests and DPoP off', { token_endpoint_auth_method: 'private_key_jwt', require_pushed_authorization_requests: false, dpop_bound_access_tokens: false }],
  ])('an update that %s does not take the client out of the profile', async (_what, change) => {
    const registered = await fapiClientRegisteredDynamically();
    const answer = await put(registered, { ...base, ...change });
    const after = await stored(registered.client_id);
    expect(after?.keyline_profile).toBe('fapi2');
    expect(after?.token_endpoint_auth_method).toBe('private_key_jwt');
    expect(after?.require_pushed_authorization_requests).toBe(true);
    expect(after?.dpop_bound_access_tokens).toBe(true);
    expect(after?.client_secret).toBeUndefined();
    if (answer.status !== 200) {
      expect(answer.status).toBe(400);
      expect((await answer.json() as { error: string }).error).toBe('invalid_client_metadata');
    }
  });
});
