import { ADMIN_READ_SCOPE, ADMIN_SCOPE, adminCall, clientCredentialsToken, registerAdminClient } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import type { TestClient } from '../support/oidc-flow.ts';
import { runCli } from '../support/run-cli.ts';
import { registerReceiver } from '../support/ssf-receiver.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

/**
 * Admin API and shared-signals tokens carry rights for as long as they live (15 minutes). Each
 * change here is made by the CLI, another process, as an operator would; the very next call
 * with the token issued before it must be judged by the client's registration as it is now.
 */
describe.each(backends)('admin API and SSF tokens against the client\'s current registration on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ kl, cleanup } = await startOnBackend(backend));
  });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
  });

  const cli = async (...args: string[]) => {
    const result = await runCli(kl, args);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    return result.stdout;
  };
  const newSecret = (stdout: string) => (JSON.parse(stdout) as { client_secret: string }).client_secret;

  test('an admin client demoted to read-only loses its write token\'s rights at once', async () => {
    const client = await registerAdminClient(kl);
    const token = await clientCredentialsToken(kl, client, ADMIN_SCOPE);
    expect((await adminCall(kl, token, 'GET', '/clients')).status).toBe(200);
    await cli('clients', 'update', client.clientId, '--scopes', ADMIN_READ_SCOPE);
    const after = await adminCall(kl, token, 'GET', '/clients');
    expect(after.status).toBe(403);
    const fresh = await clientCredentialsToken(kl, client, ADMIN_READ_SCOPE);
    expect((await adminCall(kl, fresh, 'GET', '/clients')).status).toBe(200);
    expect((await adminCall(kl, fresh, 'POST', '/users', { email: 'nobody@example.test' })).status).toBe(403);
  });

  test('an admin client whose secret was rotated: its old token is refused at once, a token by the new secret works', async () => {
    const client = await registerAdminClient(kl);
    const token = await clientCredentialsToken(kl, client, ADMIN_SCOPE);
    expect((await adminCall(kl, token, 'GET', '/clients')).status).toBe(200);
    const secret = newSecret(await cli('clients', 'rotate-secret', client.clientId));
    expect((await adminCall(kl, token, 'GET', '/clients')).status).toBe(401);
    const rotated: TestClient = { ...client, clientSecret: secret };
    expect((await adminCall(kl, await clientCredentialsToken(kl, rotated, ADMIN_SCOPE), 'GET', '/clients')).status).toBe(200);
  });

  test('an admin client removed: its token is refused at once', async () => {
    const client = await registerAdminClient(kl);
    const token = await clientCredentialsToken(kl, client, ADMIN_SCOPE);
    expect((await adminCall(kl, token, 'GET', '/clients')).status).toBe(200);
    await cli('clients', 'remove', client.clientId, '--yes');
    expect((await adminCall(kl, token, 'GET', '/clients')).status).toBe(401);
  });

  test('a signals receiver whose ssf scope was removed, or whose secret was rotated, is refused at once', async () => {
    const receiver = await registerReceiver(kl, 'Demoted receiver');
    const token = await receiver.token();
    expect((await receiver.call('GET', '/ssf/streams', undefined, token)).status).toBe(200);
    await cli('clients', 'update', receiver.client.clientId, '--resource', '', '--scopes', '');
    expect([401, 403]).toContain((await receiver.call('GET', '/ssf/streams', undefined, token)).status);

    const rotating = await registerReceiver(kl, 'Rotating receiver');
    const before = await rotating.token();
    expect((await rotating.call('GET', '/ssf/streams', undefined, before)).status).toBe(200);
    await cli('clients', 'rotate-secret', rotating.client.clientId);
    expect((await rotating.call('GET', '/ssf/streams', undefined, before)).status).toBe(401);
  });
});
