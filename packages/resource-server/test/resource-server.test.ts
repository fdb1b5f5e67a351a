import { randomUUID, createHash } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, decodeJwt, type JWK } from 'jose';
import { createResourceServer, introspectionCheck, metadataUrl, RevokedSubjects, type ResourceServer } from '../src/index.ts';
import { basicAuth, registerTestClient, type TestClient } from '../../../test/support/oidc-flow.ts';
import { startKeyline, type RunningKeyline } from '../../../test/support/start-keyline.ts';

const API = 'https://api.example.test/v1';
const OTHER_API = 'https://other.example.test';

let kl: RunningKeyline;
let machine: TestClient;
let apiClient: TestClient;

beforeAll(async () => {
  kl = await startKeyline({ config: { resources: { [API]: { scopes: ['read', 'write'] }, [OTHER_API]: {} } } });
  machine = await registerTestClient(kl, {
    grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], scopes: 'read write', resources: [API, OTHER_API],
  });
  apiClient = await registerTestClient(kl, { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], scopes: '', resources: [API] });
});
afterAll(() => kl.stop());

async function accessToken(form: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${kl.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(machine), ...headers },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read', resource: API, ...form }).toString(),
  });
  const body = await response.json() as { access_token?: string };
  if (!body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}

const call = (token: string, scheme = 'Bearer', extra: Record<string, string> = {}) => ({
  method: 'GET', url: 'https://api.example.test/v1/orders?page=2', headers: { authorization: `${scheme} ${token}`, ...extra },
});

/** Signs whatever a test wants with Keyline's own RS256 key, to isolate one check at a time. */
async function signedByKeyline(payload: Record<string, unknown>, header: Record<string, unknown>): Promise<string> {
  const key = kl.keyline.keys.signingJwk('RS256');
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: key.kid, ...header }).sign(await importJWK(key, 'RS256'));
}

describe('verifying Keyline access tokens offline', () => {
  let api: ResourceServer;
  beforeAll(async () => { api = await createResourceServer({ issuer: kl.url, resource: API, clockToleranceSeconds: 0 }); });

  test('accepts a good token and hands over its claims', async () => {
    const verdict = await api.authenticate(call(await accessToken()), ['read']);
    expect(verdict).toEqual({ ok: true, claims: expect.objectContaining({ iss: kl.url, aud: API, client_id: machine.clientId, scope: 'read' }) });
  });

  test('refuses a token for another audience, a forged signature and a missing token, with the RFC 9728 challenge', async () => {
    const other = await api.authenticate(call(await accessToken({ resource: OTHER_API, scope: '' })));
    expect(other).toMatchObject({ ok: false, status: 401, error: 'invalid_token' });
    const [header, payload] = (await accessToken()).split('.');
    expect(await api.authenticate(call(`${header}.${payload}.AAAA`))).toMatchObject({ ok: false, status: 401, error: 'invalid_token' });
    const missing = await api.authenticate({ method: 'GET', url: API, headers: {} });
    expect(missing).toMatchObject({ ok: false, status: 401 });
    expect(missing).not.toHaveProperty('error');
    expect(missing.ok === false && missing.wwwAuthenticate).toBe(`Bearer resource_metadata="${metadataUrl(API)}"`);
  });

  test('refuses a token signed by Keyline that is not of type at+jwt, and one with alg none', async () => {
    const claims = decodeJwt(await accessToken());
    expect(await api.authenticate(call(await signedByKeyline(claims, { typ: 'JWT' })))).toMatchObject({ ok: false, error: 'invalid_token' });
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    expect(await api.authenticate(call(none))).toMatchObject({ ok: false, error: 'invalid_token' });
  });

  test('refuses an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { ...decodeJwt(await accessToken()), iat: now - 120, exp: now - 60 };
    const verdict = await api.authenticate(call(await signedByKeyline(claims, { typ: 'at+jwt' })));
    expect(verdict).toMatchObject({ ok: false, status: 401, error: 'invalid_token' });
    expect(verdict.ok === false && verdict.description).toMatch(/exp/);
  });

  test('answers 403 insufficient_scope for a scope the token lacks', async () => {
    expect(await api.authenticate(call(await accessToken()), ['write'])).toMatchObject({ ok: false, status: 403, error: 'insufficient_scope' });
  });

  test('serves valid RFC 9728 metadata for the resource', async () => {
    expect(api.metadata.path).toBe('/.well-known/oauth-protected-resource/v1');
    expect(api.metadata.document).toMatchObject({ resource: API, authorization_servers: [kl.url], bearer_methods_supported: ['header'] });
  });
});

describe('revocation', () => {
  test('introspection mode refuses a token its client revoked', async () => {
    const api = await createResourceServer({
      issuer: kl.url, resource: API,
      revocation: (server) => introspectionCheck(server, { clientId: apiClient.clientId, clientSecret: apiClient.clientSecret!, cacheSeconds: 0 }),
    });
    const token = await accessToken();
    expect((await api.authenticate(call(token))).ok).toBe(true);
    await fetch(`${kl.url}/token/revocation`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(machine) }, body: `token=${token}`,
    });
    expect(await api.authenticate(call(token))).toMatchObject({ ok: false, status: 401, error: 'invalid_token', description: 'the access token has been revoked' });
  });

  test('signals mode refuses the tokens a subject had when it was revoked, not later ones', async () => {
    const revoked = new RevokedSubjects();
    const api = await createResourceServer({ issuer: kl.url, resource: API, revocation: () => revoked });
    const token = await accessToken();
    expect((await api.authenticate(call(token))).ok).toBe(true);
    revoked.record(machine.clientId, decodeJwt(token).iat!);
    expect(await api.authenticate(call(token))).toMatchObject({ ok: false, error: 'invalid_token' });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await api.authenticate(call(await accessToken()))).ok).toBe(true);
  });
});

describe('DPoP-bound tokens (RFC 9449)', () => {
  let key: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  let jwk: JWK;
  beforeAll(async () => {
    ({ privateKey: key } = await generateKeyPair('ES256', { extractable: true }));
    const full = await exportJWK(key);
    jwk = { kty: full.kty, crv: full.crv, x: full.x, y: full.y };
  });

  async function proof(method: string, url: string, accessTokenValue?: string): Promise<string> {
    return new SignJWT({
      htm: method, htu: url, jti: randomUUID(),
      ...(accessTokenValue ? { ath: createHash('sha256').update(accessTokenValue).digest('base64url') } : {}),
    }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).setIssuedAt().sign(key);
  }

  test('a bound token with a fresh proof is accepted; a replayed proof, a proof for another URL and the Bearer scheme are refused', async () => {
    const api = await createResourceServer({ issuer: kl.url, resource: API });
    const token = await accessToken({}, { dpop: await proof('POST', `${kl.url}/token`) });
    expect(decodeJwt(token).cnf).toEqual({ jkt: await calculateJwkThumbprint(jwk) });

    const good = await proof('GET', 'https://api.example.test/v1/orders', token);
    expect((await api.authenticate(call(token, 'DPoP', { dpop: good }))).ok).toBe(true);
    expect(await api.authenticate(call(token, 'DPoP', { dpop: good }))).toMatchObject({ ok: false, description: 'the DPoP proof was used before' });
    const elsewhere = await proof('GET', 'https://api.example.test/v1/admin', token);
    expect(await api.authenticate(call(token, 'DPoP', { dpop: elsewhere }))).toMatchObject({ ok: false, error: 'invalid_token' });
    const asBearer = await api.authenticate(call(token));
    expect(asBearer).toMatchObject({ ok: false, error: 'invalid_token' });
    expect(asBearer.ok === false && asBearer.wwwAuthenticate).toMatch(/^DPoP /);
  });

  test('a bound token short of a scope is challenged with the DPoP scheme, naming the scope', async () => {
    const api = await createResourceServer({ issuer: kl.url, resource: API });
    const token = await accessToken({}, { dpop: await proof('POST', `${kl.url}/token`) });
    const verdict = await api.authenticate(call(token, 'DPoP', { dpop: await proof('GET', 'https://api.example.test/v1/orders', token) }), ['write']);
    expect(verdict).toMatchObject({ ok: false, status: 403, error: 'insufficient_scope', scope: 'write' });
    expect(verdict.ok === false && verdict.wwwAuthenticate).toMatch(/^DPoP resource_metadata=".+", error="insufficient_scope", .*, scope="write"$/);
  });

  test('a resource that requires DPoP refuses plain Bearer tokens', async () => {
    const api = await createResourceServer({ issuer: kl.url, resource: API, dpopRequired: true });
    expect(await api.authenticate(call(await accessToken()))).toMatchObject({ ok: false, status: 401, error: 'invalid_token' });
    expect(api.metadata.document.dpop_bound_access_tokens_required).toBe(true);
  });
});
