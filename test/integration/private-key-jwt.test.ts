import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import type { ClientMetadata } from 'oidc-provider';
import { allBackends, sqliteBackend, threeNodes, type Backend } from '../support/backends.ts';
import {
  clientAssertion, clientKey, startJwksServer, stopJwksServer, tokenWithAssertion, type ClientKey, type JwksServer,
} from '../support/client-keys.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends: Backend[] = [...await allBackends(), threeNodes(sqliteBackend)];
afterAll(stopMongoTestServer);

const key: ClientKey = await clientKey('client-key-1');


async function registerKeyClient(kl: RunningKeyline, jwksUri: string): Promise<string> {
  const clientId = `service-${randomUUID()}`;
  const metadata = {
    client_id: clientId, client_name: 'Key-bound service', grant_types: ['client_credentials'], response_types: [], redirect_uris: [],
    token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks_uri: jwksUri,
  };
  await kl.keyline.provider.Client.validate(metadata as ClientMetadata);
  const now = new Date();
  await kl.store.clients.create({ clientId, metadata, createdAt: now, updatedAt: now });
  return clientId;
}

async function tokenFor(kl: RunningKeyline, clientId: string): Promise<Response> {
  return tokenWithAssertion(kl, clientId, await clientAssertion(kl, clientId, key));
}

describe.each(backends)('clients that authenticate with their own keys (RFC 7523) on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  let jwks: JwksServer;

  beforeAll(async () => {
    jwks = await startJwksServer([key.publicJwk]);
    ({ kl, cleanup } = await startOnBackend(backend, { config: { outbound: { allowPrivateNetworks: true } } }));
  });
  afterAll(async () => {
    await stopJwksServer(jwks);
    await kl.stop();
    await cleanup();
  });

  test('a signed assertion verified with keys from the client\'s jwks_uri gets a token; the same assertion again is refused', async () => {
    const clientId = await registerKeyClient(kl, jwks.url);
    const signed = await clientAssertion(kl, clientId, key);
    expect((await tokenWithAssertion(kl, clientId, signed)).status).toBe(200);
    expect(jwks.fetches()).toBeGreaterThan(0);
    const replayed = await tokenWithAssertion(kl, clientId, signed);
    expect(replayed.status).toBe(401);
    expect((await replayed.json() as { error: string }).error).toBe('invalid_client');
  });

  test('one assertion replayed by many at once is accepted exactly once', async () => {
    const clientId = await registerKeyClient(kl, jwks.url);
    expect((await tokenFor(kl, clientId)).status).toBe(200);
    const signed = await clientAssertion(kl, clientId, key);
    const answers = await Promise.all(Array.from({ length: 30 }, () => tokenWithAssertion(kl, clientId, signed)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, ...Array.from({ length: 29 }, () => 401)]);
  });

  test('the client\'s keys are fetched once and kept (at least 60 s, longer if its Cache-Control says so), per node', async () => {
    const own = await startJwksServer([key.publicJwk]);
    try {
      const clientId = await registerKeyClient(kl, own.url);
      for (let request = 0; request < 6; request += 1) expect((await tokenFor(kl, clientId)).status).toBe(200);
      expect(own.fetches()).toBeGreaterThanOrEqual(1);
      expect(own.fetches()).toBeLessThanOrEqual(backend.nodes ?? 1);
    } finally {
      await stopJwksServer(own);
    }
  });
});

describe('a jwks_uri that misbehaves', () => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  let jwks: JwksServer;
  beforeAll(async () => {
    jwks = await startJwksServer([key.publicJwk]);
    ({ kl, cleanup } = await startOnBackend(sqliteBackend, { config: { outbound: { allowPrivateNetworks: true } } }));
  });
  afterAll(async () => {
    await stopJwksServer(jwks);
    await kl.stop();
    await cleanup();
  });

  test.each([
    ['does not answer (Keyline gives up after 2.5 s)', { hang: true }],
    // The right key, padded: a key set this large is refused whatever it holds.
    ['answers a body far larger than any key set', { body: JSON.stringify({ keys: [key.publicJwk], padding: 'x'.repeat(300 * 1024) }) }],
    ['answers something that is not a key set', { body: '<html>maintenance</html>' }],
  ])('a jwks_uri that %s fails the client\'s authentication with 401 invalid_client, never a 500', async (_name, answer) => {
    jwks.serve(answer);
    const clientId = await registerKeyClient(kl, jwks.url);
    const refused = await tokenFor(kl, clientId);
    expect(refused.status).toBe(401);
    expect((await refused.json() as { error: string }).error).toBe('invalid_client');
  }, 15_000);
});

describe('a key the client removes from its jwks_uri', () => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  let jwks: JwksServer;
  beforeAll(async () => {
    jwks = await startJwksServer([]);
    ({ kl, cleanup } = await startOnBackend(sqliteBackend, { config: { outbound: { allowPrivateNetworks: true } } }));
  });
  afterAll(async () => {
    jest.useRealTimers();
    await stopJwksServer(jwks);
    await kl.stop();
    await cleanup();
  });

  test('keeps working while the keys are cached (60 s), and stops once they are past it: Keyline fetches them again before use', async () => {
    const compromised = await clientKey('compromised');
    const replacement = await clientKey('replacement');
    jwks.serve({ keys: [compromised.publicJwk, replacement.publicJwk] });
    const clientId = await registerKeyClient(kl, jwks.url);
    const signedWith = async (signer: ClientKey) => (await tokenWithAssertion(kl, clientId, await clientAssertion(kl, clientId, signer))).status;
    expect(await signedWith(compromised)).toBe(200);

    jwks.serve({ keys: [replacement.publicJwk] });
    expect(await signedWith(compromised)).toBe(200);
    const fetchesBefore = jwks.fetches();

    // Only the clock moves on (timers stay real): the cached keys are now past their lifetime.
    jest.useFakeTimers({
      now: Date.now() + 61_000,
      doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
    });
    expect(await signedWith(compromised)).toBe(401);
    expect(await signedWith(replacement)).toBe(200);
    expect(jwks.fetches()).toBe(fetchesBefore + 1);
  });
});

test('by default Keyline will not fetch a jwks_uri on a loopback or private address (SSRF)', async () => {
  const jwks = await startJwksServer([key.publicJwk]);
  const { kl, cleanup } = await startOnBackend(sqliteBackend);
  try {
    const clientId = await registerKeyClient(kl, jwks.url);
    expect((await tokenFor(kl, clientId)).status).toBe(401);
    expect(jwks.fetches()).toBe(0);
  } finally {
    await stopJwksServer(jwks);
    await kl.stop();
    await cleanup();
  }
});
