import { type JSONWebKeySet, createLocalJWKSet, jwtVerify } from 'jose';
import { createHash } from 'node:crypto';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { integrationBackends } from '../support/backends.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import {
  exchangeCode, registerTestClient, signIn, type TestClient, type TestUser,
} from '../support/oidc-flow.ts';

const backends = await integrationBackends();
afterAll(stopMongoTestServer);

function atHash(accessToken: string): string {
  const digest = createHash('sha256').update(accessToken).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

describe.each(backends)('code flow on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  let user: TestUser;
  useKeyline(backend, {}, (ready) => { ({ kl, client, user } = ready); });

test('authorization code with PKCE yields an id_token that verifies against the served JWKS', async () => {
  const signedIn = await signIn(kl, client, user);
  expect(signedIn.callback.searchParams.get('iss')).toBe(kl.url);
  expect(signedIn.callback.searchParams.get('state')).toBe(signedIn.state);

  const tokens = await exchangeCode(kl, client, signedIn);
  expect(tokens.status).toBe(200);
  expect(tokens.headers.get('cache-control')).toContain('no-store');
  const jwks = await (await fetch(`${kl.url}/jwks`)).json() as JSONWebKeySet;
  const { payload, protectedHeader } = await jwtVerify(String(tokens.body.id_token), createLocalJWKSet(jwks), {
    issuer: kl.url,
    audience: client.clientId,
  });
  expect(protectedHeader.alg).toBe('RS256');
  expect(payload.sub).toBe(user.id);
  expect(payload.nonce).toBe(signedIn.nonce);
  expect(payload.exp! - payload.iat!).toBeGreaterThan(0);
  expect(payload.at_hash).toBe(atHash(String(tokens.body.access_token)));

  const userinfo = await fetch(`${kl.url}/me`, { headers: { authorization: `Bearer ${tokens.body.access_token}` } });
  expect(userinfo.status).toBe(200);
  const claims = await userinfo.json() as Record<string, unknown>;
  expect(claims.sub).toBe(user.id);
  expect(claims.email).toBe(user.email);
});

test.each(['ES256', 'Ed25519', 'EdDSA'])('a client registered for %s id_tokens gets them, verifiable with the served JWKS', async (alg) => {
  const jwks = await (await fetch(`${kl.url}/jwks`)).json() as JSONWebKeySet;
  expect(new Set(jwks.keys.map((key) => key.alg))).toEqual(new Set(['RS256', 'ES256', 'Ed25519', 'EdDSA']));
  const other = await registerTestClient(kl, { idTokenAlg: alg });
  const tokens = await exchangeCode(kl, other, await signIn(kl, other, user));
  const { payload, protectedHeader } = await jwtVerify(String(tokens.body.id_token), createLocalJWKSet(jwks), {
    issuer: kl.url, audience: other.clientId,
  });
  expect(protectedHeader.alg).toBe(alg);
  expect(payload.sub).toBe(user.id);
});
});
