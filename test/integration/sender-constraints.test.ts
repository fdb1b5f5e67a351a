import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { ClientMetadata } from 'oidc-provider';
import { allBackends, sqliteBackend, threeNodes, type Backend } from '../support/backends.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import {
  authorizeUrl, basicAuth, continueSignIn, createTestUser, introspect, pkcePair, REDIRECT_URI, type TestClient,
} from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends: Backend[] = [...await allBackends(), threeNodes(sqliteBackend)];
afterAll(stopMongoTestServer);

async function registerWith(kl: RunningKeyline, extra: Record<string, unknown>, grantTypes: string[]): Promise<TestClient> {
  const clientId = `constrained-${randomUUID()}`;
  const clientSecret = 'a client secret long enough for the test';
  const { hashClientSecret } = await import('../../src/oidc/client-secrets.ts');
  const userFlow = grantTypes.includes('authorization_code');
  const metadata = {
    client_id: clientId, client_secret: hashClientSecret(clientSecret), grant_types: grantTypes,
    response_types: userFlow ? ['code'] : [], redirect_uris: userFlow ? [REDIRECT_URI] : [], scope: 'openid email profile', ...extra,
  };
  await kl.keyline.provider.Client.validate({ ...metadata, client_secret: clientSecret } as ClientMetadata);
  const now = new Date();
  await kl.store.clients.create({ clientId, metadata, createdAt: now, updatedAt: now });
  return { clientId, clientSecret, redirectUri: REDIRECT_URI };
}

describe.each(backends)('sender-constrained and PAR-only clients on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  beforeAll(async () => { ({ kl, cleanup } = await startOnBackend(backend)); });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
  });

  describe('a client registered to use pushed authorization requests only (RFC 9126)', () => {
    test('an authorization request sent the plain way is refused', async () => {
      const client = await registerWith(kl, { require_pushed_authorization_requests: true }, ['authorization_code']);
      const { challenge } = pkcePair();
      const answer = await new BrowserLikeClient().get(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256' }));
      const callback = new URL(answer.location!);
      expect(callback.searchParams.get('error')).toBe('invalid_request');
      expect(callback.searchParams.get('error_description')).toMatch(/pushed authorization request/i);
    });

    test('a pushed request signs the user in', async () => {
      const client = await registerWith(kl, { require_pushed_authorization_requests: true }, ['authorization_code']);
      const { challenge } = pkcePair();
      const pushed = await fetch(`${kl.url}/request`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(client) },
        body: new URLSearchParams({
          client_id: client.clientId, response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256', state: 'pushed',
        }).toString(),
      });
      expect(pushed.status).toBe(201);
      const { request_uri: requestUri } = await pushed.json() as { request_uri: string };
      const browser = new BrowserLikeClient();
      const landed = await continueSignIn(kl, browser, await browser.get(`${kl.url}/auth?${new URLSearchParams({ client_id: client.clientId, request_uri: requestUri })}`), await createTestUser(kl));
      const callback = new URL(landed.location!);
      expect(callback.searchParams.get('code')).toBeTruthy();
      expect(callback.searchParams.get('state')).toBe('pushed');
    });
  });

  describe('a client registered for DPoP-bound tokens (RFC 9449)', () => {
    let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
    let jwk: JWK;
    beforeAll(async () => {
      const pair = await generateKeyPair('ES256', { extractable: true });
      privateKey = pair.privateKey;
      const { kty, crv, x, y } = await exportJWK(pair.publicKey);
      jwk = { kty, crv, x, y };
    });

    function proof(nonce?: string): Promise<string> {
      return new SignJWT({ htm: 'POST', htu: `${kl.url}/token`, jti: randomUUID(), ...(nonce ? { nonce } : {}) })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).setIssuedAt().sign(privateKey);
    }

    function tokenRequest(client: TestClient, dpop?: string) {
      return fetch(`${kl.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(client), ...(dpop ? { dpop } : {}) },
        body: 'grant_type=client_credentials',
      });
    }

    test('without a proof it gets no token; with one it must use the server\'s nonce, then gets a bound token', async () => {
      const client = await registerWith(kl, { dpop_bound_access_tokens: true }, ['client_credentials']);
      expect((await tokenRequest(client)).status).toBe(400);

      const first = await tokenRequest(client, await proof());
      expect(first.status).toBe(400);
      expect((await first.json() as { error: string }).error).toBe('use_dpop_nonce');
      const nonce = first.headers.get('dpop-nonce');
      expect(nonce).toBeTruthy();

      const bound = await tokenRequest(client, await proof(nonce!));
      expect(bound.status).toBe(200);
      const body = await bound.json() as { token_type: string; access_token: string };
      expect(body.token_type).toBe('DPoP');
      expect((await introspect(kl, client, body.access_token)).cnf).toEqual({ jkt: await calculateJwkThumbprint(jwk) });
    });

    test('one proof replayed at once by many is accepted exactly once, on every node', async () => {
      const client = await registerWith(kl, { dpop_bound_access_tokens: true }, ['client_credentials']);
      const nonce = (await tokenRequest(client, await proof())).headers.get('dpop-nonce')!;
      const signed = await proof(nonce);
      const answers = await Promise.all(Array.from({ length: 20 }, () => tokenRequest(client, signed)));
      expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    });
  });
});
