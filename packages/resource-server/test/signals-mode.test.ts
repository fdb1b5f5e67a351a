/**
 * The kit in signals mode: the example resource server polls a real Keyline's shared-signals
 * stream and refuses a user's token once that user's session ended or password changed, while
 * other users' tokens (and the user's later tokens) still work. On both store backends.
 */
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { startResourceServer, type ResourceServerExample } from '../../../examples/resource-server.ts';
import { discoverAuthorizationServer } from '../src/authorization-server.ts';
import { signalsCheck, type SignalsCheck } from '../src/index.ts';
import { allBackends } from '../../../test/support/backends.ts';
import { stopMongoTestServer } from '../../../test/support/mongo-server.ts';
import { createTestUser, exchangeCode, registerTestClient, signIn, type TestClient, type TestUser } from '../../../test/support/oidc-flow.ts';
import { eventually } from '../../../test/support/recording-receiver.ts';
import { runCli } from '../../../test/support/run-cli.ts';
import { registerReceiver, type SsfReceiver } from '../../../test/support/ssf-receiver.ts';
import { startKeyline, type RunningKeyline } from '../../../test/support/start-keyline.ts';

const API = 'https://api.example.test/orders';
const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('the resource-server kit fed by a Keyline stream on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  let app: TestClient;
  let api: ResourceServerExample;
  let signals: SignalsCheck;
  let receiver: SsfReceiver;
  const errors: Error[] = [];

  beforeAll(async () => {
    const location = await backend.create();
    cleanup = location.cleanup;
    kl = await startKeyline({ store: location.location, config: { resources: { [API]: { scopes: ['read'] } }, jobs: { pollInterval: 0.2 } } });
    app = await registerTestClient(kl, { resources: [API], scopes: 'openid read' });
    receiver = await registerReceiver(kl, 'Orders API');
    api = await startResourceServer(kl.url, API, 0, (server) => {
      signals = signalsCheck(server, {
        clientId: receiver.client.clientId, clientSecret: receiver.client.clientSecret!, pollIntervalMs: 100, onError: (error) => errors.push(error),
      });
      return signals;
    });
    await signals.ready;
  });
  afterAll(async () => {
    await signals?.close();
    api?.server.close();
    await kl.stop();
    await cleanup();
  });

  async function apiToken(user: TestUser): Promise<string> {
    const signedIn = await signIn(kl, app, user, { scope: 'openid read', params: { prompt: 'consent', resource: API } });
    return String((await exchangeCode(kl, app, signedIn)).body.access_token);
  }

  const callApi = (token: string) => fetch(api.url, { headers: { authorization: `Bearer ${token}` } });

  async function refusedOnceRevoked(token: string): Promise<void> {
    const refused = await eventually('the API to refuse the token', async () => {
      const answer = await callApi(token);
      return answer.status === 401 && answer;
    });
    expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_token", error_description="the access token has been revoked"/);
  }

  test('a token is refused once its user is signed out everywhere; another user\'s is not, nor the user\'s next one', async () => {
    const user = await createTestUser(kl);
    const bystander = await createTestUser(kl);
    const token = await apiToken(user);
    const othersToken = await apiToken(bystander);
    expect((await callApi(token)).status).toBe(200);

    expect((await runCli(kl, ['sessions', 'revoke', user.email, '--yes'])).code).toBe(0);
    await refusedOnceRevoked(token);
    expect((await callApi(othersToken)).status).toBe(200);

    // Tokens issued after the revocation's second are the user's again.
    const revokedAt = Math.floor(Date.now() / 1000);
    while (Math.floor(Date.now() / 1000) <= revokedAt) await sleep(50);
    expect((await callApi(await apiToken(user))).status).toBe(200);
    expect(errors).toEqual([]);
  });

  test('a password change refuses the tokens issued before it', async () => {
    const user = await createTestUser(kl);
    const token = await apiToken(user);
    expect((await callApi(token)).status).toBe(200);
    expect((await runCli(kl, ['users', 'set-password', user.email], 'a completely different passphrase')).code).toBe(0);
    await refusedOnceRevoked(token);
  });

  test('a receiver that starts again reuses its stream instead of making another', async () => {
    const again = signalsCheck(await discoverAuthorizationServer(kl.url), { clientId: receiver.client.clientId, clientSecret: receiver.client.clientSecret! });
    await again.ready;
    await again.close();
    const streams = (await receiver.call('GET', '/ssf/streams')).body as Array<{ description?: string }>;
    expect(streams).toHaveLength(1);
    expect(streams[0]!.description).toBe(`@keyline/resource-server signals (${hostname()})`);
  });
});
