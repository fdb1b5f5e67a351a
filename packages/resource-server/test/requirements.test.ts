/**
 * requireScopes and requirePermissions against a real Keyline: tokens from its token endpoint, and
 * (for claims this Keyline's config does not produce, or shapes it never would) tokens signed with
 * its own key, so only the claim under test differs from a real one.
 */
import { decodeJwt, importJWK, SignJWT } from 'jose';
import { createResourceServer, metadataUrl, requirePermissions, requireScopes, type ResourceServer } from '../src/index.ts';
import { basicAuth, registerTestClient, type TestClient } from '../../../test/support/oidc-flow.ts';
import { startKeyline, type RunningKeyline } from '../../../test/support/start-keyline.ts';

const API = 'https://api.example.test/orders';
const CHALLENGE_START = `Bearer resource_metadata="${metadataUrl(API)}", error="insufficient_scope"`;

let kl: RunningKeyline;
let machine: TestClient;
let api: ResourceServer;

beforeAll(async () => {
  kl = await startKeyline({ config: { resources: { [API]: { scopes: ['orders:read', 'orders:write'] } } } });
  machine = await registerTestClient(kl, {
    grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], scopes: 'orders:read orders:write', resources: [API],
  });
  api = await createResourceServer({ issuer: kl.url, resource: API });
});
afterAll(() => kl.stop());

async function accessToken(scope: string): Promise<string> {
  const response = await fetch(`${kl.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(machine) },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource: API }).toString(),
  });
  const body = await response.json() as { access_token?: string };
  if (!body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}

/** A real token's claims with some replaced, signed with Keyline's own key. */
async function withClaims(changes: Record<string, unknown>): Promise<string> {
  const key = kl.keyline.keys.signingJwk('RS256');
  const claims = { ...decodeJwt(await accessToken('orders:read')), ...changes };
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'at+jwt' }).sign(await importJWK(key, 'RS256'));
}

const call = (token: string) => ({ method: 'GET', url: `${API}/42`, headers: { authorization: `Bearer ${token}` } });

describe('requireScopes', () => {
  test('passes a token that holds every scope named', async () => {
    const verdict = await api.authenticate(call(await accessToken('orders:read orders:write')), requireScopes('orders:read', 'orders:write'));
    expect(verdict).toMatchObject({ ok: true, claims: { scope: 'orders:read orders:write' } });
  });

  test('refuses one that lacks one of them with 403 and the exact challenge, naming every scope needed', async () => {
    const verdict = await api.authenticate(call(await accessToken('orders:read')), requireScopes('orders:read', 'orders:write'));
    expect(verdict).toEqual({
      ok: false, status: 403, error: 'insufficient_scope', scope: 'orders:read orders:write',
      description: 'the access token lacks the scope orders:write',
      wwwAuthenticate: `${CHALLENGE_START}, error_description="the access token lacks the scope orders:write", scope="orders:read orders:write"`,
    });
  });

  test('the list shorthand of authenticate gives the same challenge', async () => {
    const verdict = await api.authenticate(call(await accessToken('orders:read')), ['orders:write']);
    expect(verdict.ok === false && verdict.wwwAuthenticate).toBe(
      `${CHALLENGE_START}, error_description="the access token lacks the scope orders:write", scope="orders:write"`,
    );
  });

  test('a scope is matched whole, never as part of another', async () => {
    const verdict = await api.authenticate(call(await withClaims({ scope: 'orders:reader xorders:read' })), requireScopes('orders:read'));
    expect(verdict).toMatchObject({ ok: false, status: 403, error: 'insufficient_scope' });
  });

  test('a scope claim that is not a string is refused, not crashed on', async () => {
    const verdict = await api.authenticate(call(await withClaims({ scope: ['orders:read'] })), requireScopes('orders:read'));
    expect(verdict).toMatchObject({ ok: false, status: 403, description: 'the access token\'s scope claim is not a string' });
  });
});

describe('requirePermissions', () => {
  test('reads the permissions array claim, and passes when every permission named is in it', async () => {
    const token = await withClaims({ roles: ['order-clerk'], permissions: ['orders:read', 'orders:write'] });
    const verdict = await api.authenticate(call(token), requirePermissions('orders:write', 'orders:read'));
    expect(verdict).toMatchObject({ ok: true, claims: { permissions: ['orders:read', 'orders:write'] } });
  });

  test('the scope claim does not stand in for a permission', async () => {
    const verdict = await api.authenticate(call(await accessToken('orders:read orders:write')), requirePermissions('orders:write'));
    expect(verdict).toEqual({
      ok: false, status: 403, error: 'insufficient_scope', scope: 'orders:write',
      description: 'the access token lacks the permission orders:write',
      wwwAuthenticate: `${CHALLENGE_START}, error_description="the access token lacks the permission orders:write", scope="orders:write"`,
    });
  });

  test('refuses a token without one of them with 403 and the challenge', async () => {
    const verdict = await api.authenticate(call(await withClaims({ permissions: ['orders:read'] })), requirePermissions('orders:read', 'orders:write'));
    expect(verdict).toMatchObject({
      ok: false, status: 403, error: 'insufficient_scope', scope: 'orders:read orders:write',
      wwwAuthenticate: `${CHALLENGE_START}, error_description="the access token lacks the permission orders:write", scope="orders:read orders:write"`,
    });
  });

  test.each([
    ['a space-separated string', 'orders:read orders:write'],
    ['a string holding the name', 'orders:write'],
    ['an object', { 'orders:write': true }],
    ['a number', 1],
    ['null', null],
  ])('a permissions claim that is %s is refused, not crashed on and not searched', async (_shape, permissions) => {
    const verdict = await api.authenticate(call(await withClaims({ permissions })), requirePermissions('orders:write'));
    expect(verdict).toMatchObject({ ok: false, status: 403, error: 'insufficient_scope' });
  });

  test('entries that are not strings count for nothing', async () => {
    const verdict = await api.authenticate(call(await withClaims({ permissions: [['orders:write'], { name: 'orders:write' }] })), requirePermissions('orders:write'));
    expect(verdict).toMatchObject({ ok: false, status: 403, error: 'insufficient_scope' });
  });
});

describe('authorize: a route checks a verdict it already has', () => {
  test('scopes and permissions together, each required; a refusal passes through unchanged', async () => {
    const verdict = await api.authenticate(call(await withClaims({ scope: 'orders:read', permissions: ['orders:write'] })));
    expect(api.authorize(verdict, requireScopes('orders:read'), requirePermissions('orders:write')).ok).toBe(true);
    expect(api.authorize(verdict, requireScopes('orders:write'), requirePermissions('orders:write'))).toMatchObject({
      ok: false, status: 403, scope: 'orders:write', description: 'the access token lacks the scope orders:write',
    });
    const unauthenticated = await api.authenticate({ method: 'GET', url: API, headers: {} });
    expect(api.authorize(unauthenticated, requirePermissions('orders:write'))).toBe(unauthenticated);
  });
});

describe('names that could not be scopes are refused when the check is made', () => {
  test.each([
    ['a quote', 'orders"read'],
    ['a quote closing the header value', 'x", error="invalid_token'],
    ['a backslash', 'orders\\read'],
    ['a space', 'orders read'],
    ['a line break', 'orders\r\nSet-Cookie: a=b'],
    ['non-ASCII', 'bestellungen:lesen:ä'],
    ['nothing', ''],
  ])('%s', (_what, name) => {
    expect(() => requireScopes(name)).toThrow(TypeError);
    expect(() => requirePermissions('orders:read', name)).toThrow(TypeError);
  });

  test('and a check that names nothing', () => {
    expect(() => requireScopes()).toThrow(TypeError);
    expect(() => requirePermissions()).toThrow(TypeError);
  });
});
