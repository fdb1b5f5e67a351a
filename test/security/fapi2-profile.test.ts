/**
 * Issue 19, item 18: the OpenID Foundation's FAPI 2.0 Security Profile plan (private_key_jwt,
 * DPoP) failed on three points: the PAR endpoint took a client assertion whose `aud` was an array,
 * the PAR URL or the token URL (SP 5.3.2.1-8 wants the issuer identifier, one string); a pushed
 * request without `redirect_uri` was accepted; and the previous refresh token presented again after
 * a refresh (SP 5.3.2.1-9: the client lost the answer) revoked the grant. A client registered with
 * `--profile fapi2` is held to the profile; other clients keep their looser rules.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { allBackends, type Backend } from '../support/backends.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { clientKey, type ClientKey } from '../support/client-keys.ts';
import { addFapi2Client, ASSERTION_TYPE } from '../support/fapi2-client.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { continueSignIn, createTestUser, pkcePair, REDIRECT_URI } from '../support/oidc-flow.ts';
import { runCli } from '../support/run-cli.ts';
import { temporaryDirectory, type RunningKeyline } from '../support/start-keyline.ts';

const backends: Backend[] = await allBackends();
afterAll(stopMongoTestServer);

const key: ClientKey = await clientKey('fapi-client-key');

describe.each(backends)('a client held to the FAPI 2.0 Security Profile on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  let clientId: string;
  let registered: Record<string, unknown>;
  const files = temporaryDirectory();
  let dpopKey: CryptoKey;
  let dpopJwk: JWK;

  beforeAll(async () => {
    // Strict rotation for everyone else: the profile's retry window must hold regardless.
    ({ kl, cleanup } = await startOnBackend(backend, { config: { ttl: { refreshTokenReuseInterval: 0, authorizationCode: 600 } } }));
    registered = await addFapi2Client(kl, key, files.path);
    clientId = String(registered.client_id);
    const pair = await generateKeyPair('ES256', { extractable: true });
    dpopKey = pair.privateKey;
    const { kty, crv, x, y } = await exportJWK(pair.publicKey);
    dpopJwk = { kty, crv, x, y };
  });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
    files.remove();
  });

  function assertion(audience: string | string[] = kl.url): Promise<string> {
    return new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: key.publicJwk.kid })
      .setIssuer(clientId).setSubject(clientId).setAudience(audience)
      .setIssuedAt().setExpirationTime('60s')
      .sign(key.privateKey);
  }

  async function push(params: Record<string, string>, audience?: string | string[]): Promise<Response> {
    return fetch(`${kl.url}/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: clientId, client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion(audience), ...params,
      }).toString(),
    });
  }

  function authorization(challenge: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid offline_access', prompt: 'consent',
      code_challenge: challenge, code_challenge_method: 'S256', state: 'fapi', ...extra,
    };
  }

  function dpopProof(nonce?: string): Promise<string> {
    return new SignJWT({ htm: 'POST', htu: `${kl.url}/token`, jti: randomUUID(), ...(nonce ? { nonce } : {}) })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: dpopJwk }).setIssuedAt().sign(dpopKey);
  }

  let nonce: string | undefined;
  /** A token request as a FAPI client sends it: its assertion (aud = issuer) and a DPoP proof with the server's nonce. */
  async function token(form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
    for (;;) {
      const answer = await fetch(`${kl.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await dpopProof(nonce) },
        body: new URLSearchParams({ client_id: clientId, client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion(), ...form }).toString(),
      });
      const body = await answer.json() as Record<string, unknown>;
      const fresh = answer.headers.get('dpop-nonce');
      if (body.error === 'use_dpop_nonce' && fresh && fresh !== nonce) {
        nonce = fresh;
        continue;
      }
      if (fresh) nonce = fresh;
      return { status: answer.status, body };
    }
  }

  test('registration turns on what the profile needs: pushed requests only, DPoP-bound tokens', () => {
    expect(registered).toMatchObject({
      keyline_profile: 'fapi2', require_pushed_authorization_requests: true, dpop_bound_access_tokens: true, token_endpoint_auth_method: 'private_key_jwt',
    });
  });

  test.each([
    ['an array holding the issuer', (url: string) => [url]],
    ['the PAR endpoint', (url: string) => `${url}/request`],
    ['the token endpoint', (url: string) => `${url}/token`],
  ])('a pushed request whose client assertion names %s as its audience is refused', async (_name, audience) => {
    const answer = await push(authorization(pkcePair().challenge), audience(kl.url));
    expect(answer.status).toBe(401);
    // oidc-provider says only "client authentication failed"; the same request with the issuer as aud is accepted (the flow below).
    expect((await answer.json() as { error: string }).error).toBe('invalid_client');
  });

  test('a pushed request without redirect_uri is refused, though one URI is registered', async () => {
    const { redirect_uri: _omitted, ...rest } = authorization(pkcePair().challenge);
    const answer = await push(rest);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/redirect_uri/) });
  });

  test('a token request whose assertion names the token endpoint is refused', async () => {
    const answer = await fetch(`${kl.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token', refresh_token: 'irrelevant', client_id: clientId,
        client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion(`${kl.url}/token`),
      }).toString(),
    });
    expect(answer.status).toBe(401);
  });

  test('the whole flow works; its code lives at most 60 s; the previous refresh token presented again gets the same successor, not a revocation', async () => {
    const { verifier, challenge } = pkcePair();
    const pushed = await push(authorization(challenge));
    expect(pushed.status).toBe(201);
    const { request_uri: requestUri } = await pushed.json() as { request_uri: string };
    const browser = new BrowserLikeClient();
    const landed = await continueSignIn(kl, browser, await browser.get(`${kl.url}/auth?${new URLSearchParams({ client_id: clientId, request_uri: requestUri })}`), await createTestUser(kl));
    const callback = new URL(landed.location!);
    expect(callback.searchParams.get('iss')).toBe(kl.url);
    const code = callback.searchParams.get('code')!;
    const stored = await kl.keyline.provider.AuthorizationCode.find(code);
    expect(stored!.exp! - stored!.iat!).toBeLessThanOrEqual(60);

    const issued = await token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
    expect(issued.status).toBe(200);
    expect(issued.body.token_type).toBe('DPoP');
    const rotated = await token({ grant_type: 'refresh_token', refresh_token: String(issued.body.refresh_token) });
    expect(rotated.status).toBe(200);

    // The client lost that answer and retries with the token it had (SP 5.3.2.1-9).
    const retried = await token({ grant_type: 'refresh_token', refresh_token: String(issued.body.refresh_token) });
    expect(retried.status).toBe(200);
    expect(retried.body.refresh_token).toBe(rotated.body.refresh_token);

    const next = await token({ grant_type: 'refresh_token', refresh_token: String(retried.body.refresh_token) });
    expect(next.status).toBe(200);
    // Once the successor was used, the superseded token is a reuse: the grant goes.
    expect((await token({ grant_type: 'refresh_token', refresh_token: String(issued.body.refresh_token) })).body.error).toBe('invalid_grant');
    expect((await token({ grant_type: 'refresh_token', refresh_token: String(next.body.refresh_token) })).body.error).toBe('invalid_grant');
  });

  test('a client without the profile keeps its rules: its assertion may name the token endpoint', async () => {
    const jwksFile = join(files.path, 'plain.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [key.publicJwk] }));
    const result = await runCli(kl, ['clients', 'add', '--name', 'Plain', '--grant-types', 'client_credentials', '--auth-method', 'private_key_jwt', '--jwks', jwksFile]);
    const plainId = String((JSON.parse(result.stdout) as Record<string, unknown>).client_id);
    const signed = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: key.publicJwk.kid })
      .setIssuer(plainId).setSubject(plainId).setAudience(`${kl.url}/token`)
      .setIssuedAt().setExpirationTime('60s').sign(key.privateKey);
    const answer = await fetch(`${kl.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: plainId, client_assertion_type: ASSERTION_TYPE, client_assertion: signed }).toString(),
    });
    expect(answer.status).toBe(200);
  });

  test('the profile refuses what it cannot hold: a client that is not private_key_jwt', async () => {
    const result = await runCli(kl, ['clients', 'add', '--name', 'Secret bank', '--redirect-uri', REDIRECT_URI, '--profile', 'fapi2']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/profile: a FAPI 2\.0 client authenticates with private_key_jwt/);
  });
});
