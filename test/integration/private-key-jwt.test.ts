import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { ClientMetadata } from 'oidc-provider';
import { allBackends, sqliteBackend, threeNodes, type Backend } from '../support/backends.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends: Backend[] = [...await allBackends(), threeNodes(sqliteBackend)];
afterAll(stopMongoTestServer);

const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
const publicJwk = { ...await exportJWK(publicKey), kid: 'client-key-1', alg: 'ES256', use: 'sig' };

/** The client's own JWKS endpoint, as a service publishing its keys would run it. */
async function startJwksServer(): Promise<{ server: Server; url: string; fetches: () => number }> {
  let fetches = 0;
  const server = createServer((_request, response) => {
    fetches += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`, fetches: () => fetches };
}

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

function assertion(kl: RunningKeyline, clientId: string): Promise<string> {
  return new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: 'ES256', kid: publicJwk.kid })
    .setIssuer(clientId).setSubject(clientId).setAudience(`${kl.url}/token`)
    .setIssuedAt().setExpirationTime('60s')
    .sign(privateKey);
}

function tokenWith(kl: RunningKeyline, clientId: string, clientAssertion: string) {
  return fetch(`${kl.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials', client_id: clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: clientAssertion,
    }).toString(),
  });
}

describe.each(backends)('clients that authenticate with their own keys (RFC 7523) on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;

  beforeAll(async () => {
    jwks = await startJwksServer();
    ({ kl, cleanup } = await startOnBackend(backend, { config: { outbound: { allowPrivateNetworks: true } } }));
  });
  afterAll(async () => {
    jwks.server.close();
    await kl.stop();
    await cleanup();
  });

  test('a signed assertion verified with keys from the client\'s jwks_uri gets a token; the same assertion again is refused', async () => {
    const clientId = await registerKeyClient(kl, jwks.url);
    const signed = await assertion(kl, clientId);
    expect((await tokenWith(kl, clientId, signed)).status).toBe(200);
    expect(jwks.fetches()).toBeGreaterThan(0);
    const replayed = await tokenWith(kl, clientId, signed);
    expect(replayed.status).toBe(401);
    expect((await replayed.json() as { error: string }).error).toBe('invalid_client');
  });

  test('one assertion replayed by many at once is accepted exactly once', async () => {
    const clientId = await registerKeyClient(kl, jwks.url);
    expect((await tokenWith(kl, clientId, await assertion(kl, clientId))).status).toBe(200);
    const signed = await assertion(kl, clientId);
    const answers = await Promise.all(Array.from({ length: 30 }, () => tokenWith(kl, clientId, signed)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, ...Array.from({ length: 29 }, () => 401)]);
  });
});

test('by default Keyline will not fetch a jwks_uri on a loopback or private address (SSRF)', async () => {
  const jwks = await startJwksServer();
  const { kl, cleanup } = await startOnBackend(sqliteBackend);
  try {
    const clientId = await registerKeyClient(kl, jwks.url);
    expect((await tokenWith(kl, clientId, await assertion(kl, clientId))).status).toBe(401);
    expect(jwks.fetches()).toBe(0);
  } finally {
    jwks.server.close();
    await kl.stop();
    await cleanup();
  }
});
