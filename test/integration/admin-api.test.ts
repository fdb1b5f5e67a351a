import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { ADMIN_HELPDESK_SCOPE, adminApiIndicator } from '../../src/oidc/admin-api-resource.ts';
import { ADMIN_READ_SCOPE, ADMIN_SCOPE, AdminSession, adminCall, clientCredentialsToken, registerAdminClient } from '../support/admin-api.ts';
import { auditTampering } from '../support/audit-tampering.ts';
import { allBackends, sqliteBackend, threeNodes } from '../support/backends.ts';
import type { BrowserLikeClient } from '../support/browser-like-client.ts';
import { startOnBackend, useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import {
  basicAuth, createTestUser, exchangeCode, registerTestClient, signIn, silentAuthorize, tokenRequest, type TestClient, type TestUser,
} from '../support/oidc-flow.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const API = 'https://orders.example.test';
const config = { resources: { 'https://config-api.example.test': { scopes: ['legacy'] } } };

const PROBLEM_TYPE = /^application\/problem\+json/;

describe.each(backends)('the admin API on $name', (backend) => {
  let kl: RunningKeyline;
  let codeClient: TestClient;
  let admin: AdminSession;
  useKeyline(backend, { config }, async (ready) => {
    ({ kl, client: codeClient } = ready);
    admin = await AdminSession.open(kl);
  });

  async function signedInWithTokens(user: TestUser): Promise<{ browser: BrowserLikeClient; refreshToken: string; accessToken: string }> {
    const signedIn = await signIn(kl, codeClient, user, { scope: 'openid offline_access', params: { prompt: 'consent' } });
    const tokens = await exchangeCode(kl, codeClient, signedIn);
    return { browser: signedIn.browser, refreshToken: String(tokens.body.refresh_token), accessToken: String(tokens.body.access_token) };
  }

  describe('authentication', () => {
    test('without a token every operation is 401 with WWW-Authenticate: Bearer, as problem details', async () => {
      for (const [method, path] of [['GET', '/users'], ['POST', '/clients'], ['DELETE', '/users/x'], ['GET', '/no-such-operation']]) {
        const answer = await adminCall(kl, undefined, method!, path!);
        expect(answer.status).toBe(401);
        expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="keyline admin API"$/);
        expect(answer.headers.get('content-type')).toMatch(PROBLEM_TYPE);
        expect(answer.body).toMatchObject({ type: 'about:blank', title: 'Unauthorized', status: 401 });
        expect(answer.body.detail).toMatch(/needs an access token/);
      }
    });

    test('a forged, foreign, garbled or opaque token is 401 invalid_token', async () => {
      const { privateKey, publicKey } = await generateKeyPair('RS256');
      const kid = (await exportJWK(publicKey)).n!.slice(0, 8);
      const forged = await new SignJWT({ client_id: admin.client.clientId, scope: ADMIN_SCOPE, jti: randomUUID() })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).setIssuer(kl.url).setSubject(admin.client.clientId)
        .setAudience(adminApiIndicator(kl.url)).setIssuedAt().setExpirationTime('5m').sign(privateKey);
      const opaque = await tokenRequest(kl, codeClient, { grant_type: 'client_credentials' });
      for (const token of [forged, 'not-a-token', `${admin.token.slice(0, -4)}AAAA`, String(opaque.body.access_token ?? 'opaque')]) {
        const answer = await adminCall(kl, token, 'GET', '/users');
        expect(answer.status).toBe(401);
        expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="keyline admin API", error="invalid_token"/);
        expect(answer.body.status).toBe(401);
      }
    });

    test('a sender-constrained (DPoP) admin token presented as a bearer token is 401', async () => {
      const { privateKey, publicKey } = await generateKeyPair('ES256');
      const proof = await new SignJWT({ htm: 'POST', htu: `${kl.url}/token`, jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) }).setIssuedAt().sign(privateKey);
      const response = await fetch(`${kl.url}/token`, {
        method: 'POST',
        headers: { authorization: basicAuth(admin.client), 'content-type': 'application/x-www-form-urlencoded', dpop: proof },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: ADMIN_SCOPE }).toString(),
      });
      const issued = await response.json() as { access_token: string; token_type: string };
      expect(issued.token_type).toBe('DPoP');
      expect(decodeJwt(issued.access_token).cnf).toEqual({ jkt: expect.any(String) });
      const answer = await adminCall(kl, issued.access_token, 'GET', '/users');
      expect(answer.status).toBe(401);
      expect(answer.body.detail).toMatch(/sender-constrained/);
    });

    test('a token for another API, or for the admin API without an admin scope, is 403 and changes nothing', async () => {
      const api = await admin.expect(201, 'POST', '/resources', { indicator: API, scopes: ['orders:read'] });
      expect(api.indicator).toBe(API);
      const worker = await registerTestClient(kl, { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], scopes: 'orders:read', resources: [API] });
      const otherAudience = await clientCredentialsToken(kl, worker, 'orders:read');
      expect(decodeJwt(otherAudience).aud).toBe(API);
      const noScope = await clientCredentialsToken(kl, await registerAdminClient(kl, ''));
      expect(decodeJwt(noScope).aud).toBe(adminApiIndicator(kl.url));

      for (const token of [otherAudience, noScope]) {
        const read = await adminCall(kl, token, 'GET', '/users');
        expect(read.status).toBe(403);
        expect(read.headers.get('www-authenticate')).toMatch(/error="insufficient_scope", scope="keyline:admin:read"/);
        expect(read.body).toMatchObject({ status: 403, title: 'Forbidden' });
        const write = await adminCall(kl, token, 'POST', '/users', { email: 'never@example.test', password: 'a long enough password' });
        expect(write.status).toBe(403);
      }
      expect(await kl.store.accounts.findByEmail('never@example.test')).toBeUndefined();
    });

    test('the read-only scope reads everything but writes nothing', async () => {
      const reader = await AdminSession.open(kl, ADMIN_READ_SCOPE);
      const user = await createTestUser(kl);
      for (const path of ['/users', `/users/${user.id}`, `/users/${user.id}/sessions`, '/clients', '/resources', '/signing-keys', '/audit-events']) {
        expect((await reader.call('GET', path)).status).toBe(200);
      }
      const writes: Array<[string, string, unknown?]> = [
        ['POST', '/users', { email: 'reader-made@example.test', password: 'a long enough password' }],
        ['PATCH', `/users/${user.id}`, { disabled: true }],
        ['DELETE', `/users/${user.id}`],
        ['POST', '/signing-keys/rotation', {}],
        ['POST', '/clients', { name: 'Reader made', grantTypes: ['client_credentials'] }],
      ];
      for (const [method, path, body] of writes) {
        const answer = await reader.call(method, path, body);
        expect(answer.status).toBe(403);
        expect(answer.body.detail).toMatch(/needs the scope keyline:admin/);
        expect(answer.headers.get('www-authenticate')).toMatch(/scope="keyline:admin"/);
      }
      expect(await kl.store.accounts.findByEmail('reader-made@example.test')).toBeUndefined();
      expect((await kl.store.accounts.findById(user.id))?.disabled).toBe(false);
    });

    test('a revoked admin token is refused at once, while a fresh one of the same client works', async () => {
      const session = await AdminSession.open(kl);
      await session.expect(200, 'GET', '/users');
      const revoked = await fetch(`${kl.url}/token/revocation`, {
        method: 'POST',
        headers: { authorization: basicAuth(session.client), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: session.token }).toString(),
      });
      expect(revoked.status).toBe(200);
      const refused = await adminCall(kl, session.token, 'GET', '/users');
      expect(refused.status).toBe(401);
      expect(refused.body.detail).toBe('the access token is invalid, expired or revoked');
      expect((await adminCall(kl, await clientCredentialsToken(kl, session.client, ADMIN_SCOPE), 'GET', '/users')).status).toBe(200);
    });
  });

  describe('users', () => {
    test('create, read, update, set the password, verify the email, unlock and remove a user', async () => {
      const created = await admin.expect(201, 'POST', '/users', {
        email: 'Grace@Example.test', password: 'a long enough password', name: 'Grace Hopper',
        profile: { given_name: 'Grace', family_name: 'Hopper', birthdate: '1906-12-09', address: { locality: 'Arlington', country: 'US' } },
      });
      expect(created).toMatchObject({
        email: 'grace@example.test', name: 'Grace Hopper', emailVerified: false, disabled: false,
        profile: { given_name: 'Grace', family_name: 'Hopper', birthdate: '1906-12-09', address: { locality: 'Arlington', country: 'US' } },
      });
      expect(JSON.stringify(created)).not.toMatch(/password|argon2/i);
      expect(await admin.expect(409, 'POST', '/users', { email: 'grace@example.test', password: 'another long password' })).toMatchObject({ status: 409, title: 'Conflict' });

      const read = await admin.expect(200, 'GET', `/users/${created.id}`);
      expect(read).toMatchObject({ ...created, factors: [], recoveryCodesUnused: 0 });

      const updated = await admin.expect(200, 'PATCH', `/users/${created.id}`, {
        name: 'Rear Admiral Hopper', profile: { nickname: 'Amazing Grace', birthdate: null, address: { locality: '' }, phone_number: '+12025550123' },
      });
      expect(updated.name).toBe('Rear Admiral Hopper');
      expect(updated.profile).toEqual({ given_name: 'Grace', family_name: 'Hopper', nickname: 'Amazing Grace', phone_number: '+12025550123', address: { country: 'US' } });

      const user: TestUser = { id: created.id, email: 'grace@example.test', password: 'a long enough password' };
      const login = await signedInWithTokens(user);
      await admin.expect(204, 'PUT', `/users/${created.id}/password`, { password: 'a brand new passphrase' });
      // A new password ends every session and grant.
      expect((await tokenRequest(kl, codeClient, { grant_type: 'refresh_token', refresh_token: login.refreshToken })).body.error).toBe('invalid_grant');
      await signedInWithTokens({ ...user, password: 'a brand new passphrase' });

      expect((await admin.expect(200, 'POST', `/users/${created.id}/email-verification`)).emailVerified).toBe(true);
      await admin.expect(204, 'POST', `/users/${created.id}/unlock`);

      const disabled = await admin.expect(200, 'PATCH', `/users/${created.id}`, { disabled: true });
      expect(disabled.disabled).toBe(true);
      expect(await kl.store.oidc.listByAccount('Session', created.id)).toEqual([]);
      expect((await admin.expect(200, 'PATCH', `/users/${created.id}`, { disabled: false })).disabled).toBe(false);

      const types = (await kl.store.audit.query({ accountId: created.id, limit: 100 })).map((event) => event.type).reverse();
      expect(types).toEqual(expect.arrayContaining(['user.created', 'user.updated', 'user.password_changed', 'user.email_verified', 'user.unlocked', 'user.disabled', 'user.enabled']));
      const change = (await kl.store.audit.query({ accountId: created.id, type: 'user.updated', limit: 1 }))[0]!;
      // Only what changed, before and after.
      expect(change.data).toMatchObject({
        before: { name: 'Grace Hopper', birthdate: '1906-12-09', address: { locality: 'Arlington', country: 'US' }, nickname: null },
        after: { name: 'Rear Admiral Hopper', birthdate: null, address: { country: 'US' }, nickname: 'Amazing Grace' },
      });
      expect(Object.keys(change.data.before as object)).not.toContain('given_name');
    });

    test('removing a user ends their sessions, grants and tokens and removes their factors, recovery codes and consents', async () => {
      const user = await createTestUser(kl);
      const login = await signedInWithTokens(user);
      await kl.store.factors.add({
        id: randomUUID(), accountId: user.id, type: 'totp', name: 'Phone', counter: 0, credentialId: null, data: { sealed: 'x' }, createdAt: new Date(), lastUsedAt: null,
      });
      await kl.store.recoveryCodes.replace(user.id, ['hash-1', 'hash-2']);
      const shown = await admin.expect(200, 'GET', `/users/${user.id}`);
      expect(shown.factors).toEqual([expect.objectContaining({ type: 'totp', name: 'Phone', lastUsedAt: null })]);
      expect(JSON.stringify(shown.factors)).not.toContain('sealed');
      expect(shown.recoveryCodesUnused).toBe(2);
      expect(await kl.store.consents.find(user.id, codeClient.clientId)).toBeDefined();

      const removed = await admin.expect(200, 'DELETE', `/users/${user.id}`);
      expect(removed.factors).toBe(1);
      expect(removed.sessionRecords).toBeGreaterThan(0);
      expect(await kl.store.accounts.findById(user.id)).toBeUndefined();
      expect(await kl.store.factors.listByAccount(user.id)).toEqual([]);
      expect(await kl.store.recoveryCodes.countUnused(user.id)).toBe(0);
      expect(await kl.store.consents.find(user.id, codeClient.clientId)).toBeUndefined();
      expect(await kl.store.oidc.listByAccount('Session', user.id)).toEqual([]);
      expect((await tokenRequest(kl, codeClient, { grant_type: 'refresh_token', refresh_token: login.refreshToken })).body.error).toBe('invalid_grant');
      expect((await silentAuthorize(kl, codeClient, login.browser)).searchParams.get('error')).toBe('login_required');
      expect(await admin.expect(404, 'GET', `/users/${user.id}`)).toMatchObject({ status: 404, detail: `user "${user.id}" not found` });
      expect((await admin.call('DELETE', `/users/${user.id}`)).status).toBe(404);

      const event = (await kl.store.audit.query({ accountId: user.id, type: 'user.removed', limit: 1 }))[0]!;
      expect(event.data).toMatchObject({ factorsRemoved: [{ type: 'totp', name: 'Phone' }], recoveryCodesRemoved: 2, before: { email: user.email } });
    });

    test('resetting a user\'s second factors removes factors and recovery codes and signs them out everywhere', async () => {
      const user = await createTestUser(kl);
      const login = await signedInWithTokens(user);
      await kl.store.factors.add({
        id: randomUUID(), accountId: user.id, type: 'webauthn', name: 'Key', counter: 3, credentialId: randomUUID(), data: {}, createdAt: new Date(), lastUsedAt: new Date(),
      });
      await kl.store.recoveryCodes.replace(user.id, ['hash-1']);
      expect(await admin.expect(200, 'DELETE', `/users/${user.id}/factors`)).toMatchObject({ factors: 1 });
      expect(await kl.store.factors.listByAccount(user.id)).toEqual([]);
      expect(await kl.store.recoveryCodes.countUnused(user.id)).toBe(0);
      expect((await tokenRequest(kl, codeClient, { grant_type: 'refresh_token', refresh_token: login.refreshToken })).body.error).toBe('invalid_grant');
      expect(await kl.store.accounts.findById(user.id)).toBeDefined();
    });

    test('users are listed in email order, page by page with an opaque cursor, and searched by email', async () => {
      const prefix = `page-${randomUUID().slice(0, 8)}`;
      const emails = ['e', 'a', 'd', 'b', 'c'].map((letter) => `${prefix}-${letter}@paging.example.test`);
      for (const email of emails) await admin.expect(201, 'POST', '/users', { email, password: 'a long enough password' });

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { items: Array<{ email: string }>; nextCursor: string | null } = await admin.expect(200, 'GET', `/users?email=${prefix}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((item) => item.email));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor);
      expect(seen).toEqual([...emails].sort());
      expect(pages).toBe(3);

      expect((await admin.expect(200, 'GET', `/users?email=${prefix.toUpperCase()}-C`)).items.map((item: { email: string }) => item.email)).toEqual([`${prefix}-c@paging.example.test`]);
      const everyone = await admin.expect(200, 'GET', '/users?limit=200');
      expect(everyone.items.map((item: { email: string }) => item.email)).toEqual(expect.arrayContaining(emails));
    });

    test('bad input is a problem detail naming the field, and changes nothing', async () => {
      const cases: Array<[string, string, unknown, number, Partial<Record<'pointer' | 'parameter', string>>, RegExp]> = [
        ['POST', '/users', { email: 'bad@example.test', password: 'short' }, 422, { pointer: '#/password' }, /password must be at least 8 characters/],
        ['POST', '/users', { email: 'not an email', password: 'a long enough password' }, 422, { pointer: '#/email' }, /is not an email address/],
        ['POST', '/users', { email: 'bad@example.test', password: 'a long enough password', profile: { zoneinfo: 'Mars/Olympus' } }, 422, { pointer: '#/profile/zoneinfo' }, /zoneinfo: must be an IANA time zone/],
        ['POST', '/users', { email: 'bad@example.test', password: 'a long enough password', profile: { address: { country: 'x'.repeat(300) } } }, 422, { pointer: '#/profile/address/country' }, /address\.country: at most 256 characters/],
        ['POST', '/users', { email: 'bad@example.test', password: 'a long enough password', profile: { shoe_size: '42' } }, 422, { pointer: '#/profile/shoe_size' }, /profile\.shoe_size: is not a field of this request/],
        ['POST', '/users', { email: 'bad@example.test', password: 12345678 }, 422, { pointer: '#/password' }, /password: Invalid input: expected string, received number/],
        ['POST', '/users', { password: 'a long enough password' }, 422, { pointer: '#/email' }, /email: /],
        ['GET', '/users?limit=500', undefined, 422, { parameter: 'limit' }, /limit: Too big/],
        ['GET', '/users?cursor=bm90LWEtY3Vyc29y', undefined, 422, { parameter: 'cursor' }, /cursor: not a cursor this list handed out/],
        ['GET', '/users?emial=x', undefined, 422, { parameter: 'emial' }, /emial: is not a field of this request/],
        ['GET', '/audit-events?since=yesterday', undefined, 422, { parameter: 'since' }, /since: Invalid ISO datetime/],
        ['POST', '/clients', { name: 'Bad', redirectUris: ['https://ok.example.test/cb', 42] }, 422, { pointer: '#/redirectUris/1' }, /redirectUris\.1: Invalid input: expected string/],
        ['POST', '/clients', { name: 'Bad', grantTypes: ['password'] }, 422, { pointer: '#/grantTypes/0' }, /grantTypes\.0: Invalid option/],
        ['POST', '/clients', { name: 'Bad', grantTypes: ['authorization_code'] }, 422, { pointer: '#/redirectUris' }, /redirect URIs: an authorization_code client needs at least one/],
        ['POST', '/clients', { name: 'Bad', grantTypes: ['client_credentials'], scopes: 'orders:delete' }, 422, { pointer: '#/scopes' }, /scopes: "orders:delete" is not an OpenID scope/],
        ['POST', '/clients', { name: 'Bad', redirectUris: ['not a uri'] }, 422, { pointer: '#/redirectUris' }, /redirect URIs: "not a uri" is not an absolute URL/],
        ['POST', '/resources', { indicator: 'ftp://files.example.test' }, 422, { pointer: '#/indicator' }, /is not a resource indicator/],
        ['POST', '/resources', { indicator: 'https://bad.example.test', scopes: ['openid'] }, 422, { pointer: '#/scopes/0' }, /"openid" cannot be an API scope \(it is an OpenID scope\)/],
        ['POST', '/resources', { indicator: 'https://bad.example.test', signingAlg: 'HS256' }, 422, { pointer: '#/signingAlg' }, /signingAlg: must be one of RS256, ES256, EdDSA, Ed25519/],
        ['POST', '/signing-keys/rotation', { algorithms: ['HS256'] }, 422, { pointer: '#/algorithms/0' }, /algorithms\.0: /],
      ];
      for (const [method, path, body, status, field, detail] of cases) {
        const answer = await admin.call(method, path, body);
        const context = `${method} ${path} ${JSON.stringify(body)}`;
        expect([context, answer.status]).toEqual([context, status]);
        expect(answer.headers.get('content-type')).toMatch(PROBLEM_TYPE);
        expect(answer.body).toMatchObject({ type: 'about:blank', status, title: 'Unprocessable Content' });
        expect([context, answer.body.detail]).toEqual([context, expect.stringMatching(detail)]);
        expect([context, answer.body.errors]).toEqual([context, expect.arrayContaining([expect.objectContaining(field)])]);
        expect(JSON.stringify(answer.body)).not.toMatch(/\n\s+at |node_modules/);
      }
      expect(await kl.store.accounts.findByEmail('bad@example.test')).toBeUndefined();
      expect(await kl.store.resources.find('https://bad.example.test')).toBeUndefined();
      expect((await kl.store.clients.list()).filter((client) => client.metadata.client_name === 'Bad')).toEqual([]);
    });

    test('a body that is not JSON, not sent as JSON, or too large is refused as a problem, never a 500', async () => {
      const raw = (body: string, contentType: string) => adminCall(kl, admin.token, 'POST', '/users', body, { 'content-type': contentType });
      expect(await raw('{"email": ', 'application/json')).toMatchObject({ status: 400, body: { status: 400, detail: expect.stringMatching(/^the request body is not JSON/) } });
      expect(await raw('email=x', 'application/x-www-form-urlencoded')).toMatchObject({ status: 415, body: { detail: 'Send the request body as application/json.' } });
      expect(await raw(JSON.stringify({ email: 'big@example.test', password: 'x'.repeat(70_000) }), 'application/json')).toMatchObject({ status: 413 });
      expect(await raw('', 'application/json')).toMatchObject({ status: 422, body: { errors: [expect.objectContaining({ pointer: '#/' })] } });
      expect(await adminCall(kl, admin.token, 'DELETE', '/audit-events')).toMatchObject({ status: 405, body: { detail: expect.stringMatching(/DELETE is not an operation at \/admin\/v1\/audit-events; it takes .*GET/) } });
      expect(await adminCall(kl, admin.token, 'GET', '/teleport')).toMatchObject({ status: 404, body: { detail: expect.stringMatching(/no admin API operation at \/admin\/v1\/teleport/) } });
    });
  });

  describe('sessions', () => {
    test('a user\'s sessions are listed; ending one ends what it was given; ending all signs the user out everywhere', async () => {
      const user = await createTestUser(kl);
      const first = await signedInWithTokens(user);
      const second = await signedInWithTokens(user);
      const listed = await admin.expect(200, `GET`, `/users/${user.id}/sessions`);
      expect(listed.items).toHaveLength(2);
      for (const session of listed.items) expect(session).toMatchObject({ ip: '127.0.0.1', clients: [codeClient.clientId], uid: expect.any(String) });
      // The session's id is its cookie value: never shown.
      const stored = await kl.store.oidc.listByAccount('Session', user.id);
      for (const record of stored) expect(JSON.stringify(listed)).not.toContain(record.id);

      const uids = listed.items.map((session: { uid: string }) => session.uid);
      await admin.expect(204, 'DELETE', `/users/${user.id}/sessions/${encodeURIComponent(uids[0])}`);
      const afterOne = await admin.expect(200, 'GET', `/users/${user.id}/sessions`);
      expect(afterOne.items.map((session: { uid: string }) => session.uid)).toEqual([uids[1]]);
      const refreshes = await Promise.all([first, second].map((login) => tokenRequest(kl, codeClient, { grant_type: 'refresh_token', refresh_token: login.refreshToken })));
      // Exactly the ended session's grant is gone, refresh token included; the other still works.
      expect(refreshes.map((answer) => answer.status).sort()).toEqual([200, 400]);
      expect(await admin.expect(404, 'DELETE', `/users/${user.id}/sessions/${encodeURIComponent(uids[0])}`)).toMatchObject({ detail: `session "${uids[0]}" not found` });

      expect((await admin.expect(200, 'DELETE', `/users/${user.id}/sessions`)).removed).toBeGreaterThan(0);
      expect((await admin.expect(200, 'GET', `/users/${user.id}/sessions`)).items).toEqual([]);
      expect((await silentAuthorize(kl, codeClient, first.browser)).searchParams.get('error')).toBe('login_required');
      expect((await silentAuthorize(kl, codeClient, second.browser)).searchParams.get('error')).toBe('login_required');
      const types = (await kl.store.audit.query({ accountId: user.id, limit: 20 })).map((event) => event.type);
      expect(types).toEqual(expect.arrayContaining(['session.revoked', 'sessions.revoked']));
    });
  });

  describe('clients', () => {
    test('create, read, list, update, rotate the secret and remove a client; the secret is shown once, at creation and rotation', async () => {
      const created = await admin.expect(201, 'POST', '/clients', {
        name: 'Reporting', grantTypes: ['client_credentials'], clientUri: 'https://reporting.example.test/',
      });
      expect(created).toMatchObject({ name: 'Reporting', grantTypes: ['client_credentials'], isPublic: false, clientUri: 'https://reporting.example.test/', clientSecret: expect.stringMatching(/^[\w-]{43}$/) });
      const secret: string = created.clientSecret;
      const client: TestClient = { clientId: created.clientId, clientSecret: secret, redirectUri: '' };
      expect((await tokenRequest(kl, client, { grant_type: 'client_credentials' })).status).toBe(200);

      const read = await admin.expect(200, 'GET', `/clients/${created.clientId}`);
      expect(read.clientSecret).toBeUndefined();
      expect(JSON.stringify(read)).not.toMatch(/sha256:|"clientSecret"/);
      const all = await admin.expect(200, 'GET', '/clients?limit=200');
      expect(all.items.map((item: { clientId: string }) => item.clientId)).toContain(created.clientId);
      expect(JSON.stringify(all)).not.toContain(secret);

      await admin.expect(201, 'POST', '/resources', { indicator: 'https://reports.example.test', scopes: ['reports:read', 'reports:write'] });
      const updated = await admin.expect(200, 'PATCH', `/clients/${created.clientId}`, {
        name: 'Reporting v2', resources: ['https://reports.example.test'], scopes: 'reports:read', clientUri: null,
      });
      expect(updated).toMatchObject({ name: 'Reporting v2', resources: ['https://reports.example.test'], scopes: 'reports:read' });
      expect(updated.clientUri).toBeUndefined();
      expect(updated.clientSecret).toBeUndefined();
      const event = (await kl.store.audit.query({ type: 'client.updated', limit: 10 })).find((entry) => entry.clientId === created.clientId)!;
      expect(event).toMatchObject({ actor: `client:${admin.client.clientId}`, data: { before: { client_name: 'Reporting', client_uri: 'https://reporting.example.test/' }, after: { client_name: 'Reporting v2', client_uri: null } } });
      expect(Object.keys(event.data.before as object)).not.toContain('grant_types');

      const rotated = await admin.expect(200, 'POST', `/clients/${created.clientId}/secret`);
      expect(rotated).toEqual({ clientId: created.clientId, clientSecret: expect.stringMatching(/^[\w-]{43}$/) });
      // Every node sees a client change within its client cache's recheck interval (250 ms).
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await tokenRequest(kl, client, { grant_type: 'client_credentials' })).status).toBe(401);
      expect((await tokenRequest(kl, { ...client, clientSecret: rotated.clientSecret }, { grant_type: 'client_credentials' })).status).toBe(200);

      const spa = await admin.expect(201, 'POST', '/clients', { name: 'SPA', isPublic: true, redirectUris: ['https://spa.example.test/cb'] });
      expect(spa.clientSecret).toBeUndefined();
      expect(await admin.expect(409, 'POST', `/clients/${spa.clientId}/secret`)).toMatchObject({ detail: `client ${spa.clientId} is public and has no secret` });
      const madeConfidential = await admin.expect(200, 'PATCH', `/clients/${spa.clientId}`, { authMethod: 'client_secret_basic' });
      expect(madeConfidential).toMatchObject({ isPublic: false, clientSecret: expect.stringMatching(/^[\w-]{43}$/) });

      await admin.expect(204, 'DELETE', `/clients/${created.clientId}`);
      await admin.expect(404, 'GET', `/clients/${created.clientId}`);
      await admin.expect(404, 'PATCH', `/clients/${created.clientId}`, { name: 'Ghost' });
      // Within the client cache's recheck interval every node forgets the client.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await tokenRequest(kl, { ...client, clientSecret: rotated.clientSecret }, { grant_type: 'client_credentials' })).status).toBe(401);

      const everything = JSON.stringify(await kl.store.audit.query({ limit: 10_000 }));
      for (const shownOnce of [secret, rotated.clientSecret, madeConfidential.clientSecret]) expect(everything).not.toContain(shownOnce);
    });
  });

  describe('resources', () => {
    test('create, read, list, update and remove an API; built-in and configured ones are listed but fixed; one in use cannot go', async () => {
      const indicator = 'https://inventory.example.test/v1';
      const path = `/resources/${encodeURIComponent(indicator)}`;
      const created = await admin.expect(201, 'POST', '/resources', { indicator, name: 'Inventory', scopes: ['stock:read', 'stock:write', 'stock:read'], signingAlg: 'ES256', accessTokenTtl: 300 });
      expect(created).toEqual({ indicator, name: 'Inventory', scopes: ['stock:read', 'stock:write'], signingAlg: 'ES256', accessTokenTtl: 300, metadataUri: null, rbac: false, source: 'store' });
      expect(await admin.expect(200, 'GET', path)).toEqual(created);
      await admin.expect(409, 'POST', '/resources', { indicator });

      const listed = await admin.expect(200, 'GET', '/resources?limit=200');
      expect(listed.items).toEqual(expect.arrayContaining([
        created,
        expect.objectContaining({ indicator: adminApiIndicator(kl.url), source: 'builtin', rbac: 'people', scopes: [ADMIN_SCOPE, ADMIN_READ_SCOPE, ADMIN_HELPDESK_SCOPE] }),
        expect.objectContaining({ indicator: 'https://config-api.example.test', source: 'config' }),
      ]));
      for (const fixed of [adminApiIndicator(kl.url), 'https://config-api.example.test']) {
        expect((await admin.call('PATCH', `/resources/${encodeURIComponent(fixed)}`, { name: 'Mine' })).status).toBe(409);
        expect((await admin.call('DELETE', `/resources/${encodeURIComponent(fixed)}`)).status).toBe(409);
        expect((await admin.call('POST', '/resources', { indicator: fixed })).status).toBe(409);
      }

      const worker = await admin.expect(201, 'POST', '/clients', { name: 'Stock worker', grantTypes: ['client_credentials'], resources: [indicator], scopes: 'stock:read' });
      const token = await tokenRequest(kl, { clientId: worker.clientId, clientSecret: worker.clientSecret, redirectUri: '' }, { grant_type: 'client_credentials', scope: 'stock:read' });
      expect(decodeJwt(String(token.body.access_token))).toMatchObject({ aud: indicator, scope: 'stock:read' });

      const metadataUri = 'https://inventory.example.test/.well-known/oauth-protected-resource/v1';
      const renamed = await admin.expect(200, 'PATCH', path, { name: 'Stock', scopes: ['stock:read', 'stock:audit'], accessTokenTtl: null, metadataUri });
      expect(renamed).toEqual({ ...created, name: 'Stock', scopes: ['stock:read', 'stock:audit'], accessTokenTtl: null, metadataUri });
      expect(await admin.expect(422, 'PATCH', path, { metadataUri: 'not a url' })).toMatchObject({ detail: expect.stringContaining('is not an http:// or https:// URL') });
      expect(await admin.expect(200, 'PATCH', path, { metadataUri: null })).toMatchObject({ metadataUri: null });
      expect(await admin.expect(409, 'PATCH', path, { scopes: ['stock:audit'] })).toMatchObject({ detail: `scopes: stock:read (client ${worker.clientId}) still given; take them from the clients first` });
      expect(await admin.expect(409, 'DELETE', path)).toMatchObject({ detail: expect.stringContaining(`still given to client(s) ${worker.clientId}`) });

      await admin.expect(200, 'PATCH', `/clients/${worker.clientId}`, { resources: [], scopes: '' });
      await admin.expect(204, 'DELETE', path);
      await admin.expect(404, 'GET', path);
      await admin.expect(404, 'DELETE', path);
      const types = (await kl.store.audit.query({ limit: 200 })).filter((event) => event.data.indicator === indicator).map((event) => event.type).reverse();
      expect(types).toEqual(['resource.created', 'resource.updated', 'resource.updated', 'resource.removed']);
    });
  });

  describe('signing keys and the audit trail', () => {
    test('keys are listed without private parts; a rotation pre-publishes a new key per algorithm', async () => {
      const before = await admin.expect(200, 'GET', '/signing-keys?limit=200');
      expect(before.items.length).toBeGreaterThan(0);
      expect(JSON.stringify(before)).not.toMatch(/"d"|privateJwk/);
      const rotation = await admin.expect(200, 'POST', '/signing-keys/rotation', { algorithms: ['ES256'] });
      expect(rotation.rotated).toEqual([expect.objectContaining({ alg: 'ES256', retired: [] })]);
      const newKid = rotation.rotated[0].kid;
      expect(Date.parse(rotation.rotated[0].activatesAt)).toBeGreaterThan(Date.now() + 24 * 3600_000);
      const after = await admin.expect(200, 'GET', '/signing-keys?limit=200');
      expect(after.items).toEqual(expect.arrayContaining([expect.objectContaining({ kid: newKid, alg: 'ES256', status: 'pending' })]));
      const jwks = await (await fetch(`${kl.url}/jwks`)).json() as { keys: Array<{ kid: string }> };
      expect(jwks.keys.map((key) => key.kid)).toContain(newKid);
      // The admin token still works: its key was not retired.
      await admin.expect(200, 'GET', '/users');
    });

    test('the audit trail is queried by user, type and time, newest first, with a cursor', async () => {
      const user = await createTestUser(kl);
      const since = new Date().toISOString();
      for (const name of ['One', 'Two', 'Three']) await admin.expect(200, 'PATCH', `/users/${user.id}`, { name });
      const firstPage = await admin.expect(200, 'GET', `/audit-events?user=${encodeURIComponent(user.email.toUpperCase())}&type=user.updated&since=${since}&limit=2`);
      expect(firstPage.items.map((event: { data: { after: { name: string } } }) => event.data.after.name)).toEqual(['Three', 'Two']);
      expect(firstPage.items[0]).toMatchObject({ type: 'user.updated', actor: `client:${admin.client.clientId}`, accountId: user.id, email: user.email, clientId: admin.client.clientId });
      const secondPage = await admin.expect(200, 'GET', `/audit-events?user=${encodeURIComponent(user.email)}&type=user.updated&limit=2&cursor=${encodeURIComponent(firstPage.nextCursor)}`);
      expect(secondPage.items.map((event: { data: { after: { name: string } } }) => event.data.after.name)).toEqual(['One']);
      expect(secondPage.nextCursor).toBeNull();
      expect((await admin.expect(200, 'GET', `/audit-events?type=user.updated&since=${new Date(Date.now() + 60_000).toISOString()}`)).items).toEqual([]);
    });

    test('every call, answered or refused, is in the audit trail as the calling client, with the request id, and never a secret', async () => {
      const session = await AdminSession.open(kl);
      const user = await session.expect(201, 'POST', '/users', { email: `audited-${randomUUID().slice(0, 8)}@example.test`, password: 'an audited password 1' });
      await session.expect(200, 'GET', `/users/${user.id}`);
      await session.expect(200, 'GET', '/users?limit=1');
      await session.expect(422, 'PATCH', `/users/${user.id}`, { profile: { website: 'not a url' } });
      await session.expect(404, 'GET', '/clients/nobody');
      await session.expect(405, 'PUT', '/audit-events');
      await session.expect(200, 'POST', `/users/${user.id}/email-verification`);
      await session.expect(200, 'POST', `/users/${user.id}/email-verification`);
      await session.expect(204, 'PUT', `/users/${user.id}/password`, { password: 'a second audited password' });
      const created = await session.expect(201, 'POST', '/clients', { name: 'Audited', grantTypes: ['client_credentials'] });
      await session.expect(200, 'POST', `/clients/${created.clientId}/secret`);
      await session.expect(200, 'GET', '/audit-events?limit=1');

      const events = await kl.store.audit.query({ limit: 10_000 });
      const byRequest = new Map(events.filter((event) => event.requestId).map((event) => [event.requestId, event]));
      for (const requestId of session.requestIds) {
        const event = byRequest.get(requestId);
        expect([requestId, event?.actor]).toEqual([requestId, `client:${session.client.clientId}`]);
      }
      const mine = events.filter((event) => event.actor === `client:${session.client.clientId}`);
      const typeOf = (requestId: string) => byRequest.get(requestId)!.type;
      expect(session.requestIds.map(typeOf)).toEqual([
        'user.created', 'admin.read', 'admin.read', 'admin.refused', 'admin.refused', 'admin.refused', 'user.email_verified', 'admin.no_change',
        'user.password_changed', 'client.created', 'client.secret_rotated', 'admin.read',
      ]);
      expect(byRequest.get(session.requestIds[3]!)!.data).toMatchObject({ operation: 'updateUser', status: 422, problem: 'invalid_user', fields: ['#/profile/website'] });
      expect(byRequest.get(session.requestIds[1]!)!.data).toMatchObject({ operation: 'getUser', method: 'GET', status: 200 });
      const everything = JSON.stringify(mine);
      for (const secret of ['an audited password 1', 'a second audited password', created.clientSecret, session.token, 'not a url']) expect(everything).not.toContain(secret);
    });
  });
});

describe('the OpenAPI document', () => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ kl, cleanup } = await startOnBackend(sqliteBackend, { config }));
  });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
  });

  test('is served without a token and validates as OpenAPI 3.1 with a maintained validator', async () => {
    const { validate } = await import('@readme/openapi-parser');
    const response = await fetch(`${kl.url}/admin/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = await response.json() as { openapi: string; servers: Array<{ url: string }>; components: { securitySchemes: Record<string, unknown> } };
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: adminApiIndicator(kl.url) }]);
    expect(document.components.securitySchemes.adminToken).toMatchObject({ type: 'oauth2', flows: { clientCredentials: { tokenUrl: `${kl.url}/token` } } });
    const result = await validate(structuredClone(document) as never);
    expect(result).toMatchObject({ valid: true, specification: 'OpenAPI' });
    expect(result.warnings).toEqual([]);
  });

  test('every operation in it answers with a status it documents, never 404 or 405, when called with a valid token', async () => {
    const document = await (await fetch(`${kl.url}/admin/v1/openapi.json`)).json() as {
      paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
    };
    const admin = await AdminSession.open(kl);
    const user = await createTestUser(kl);
    const client = await registerTestClient(kl);
    await signIn(kl, client, user);
    const resource = await admin.expect(201, 'POST', '/resources', { indicator: 'https://every-operation.example.test', scopes: ['x'] });
    const other = await admin.expect(201, 'POST', '/clients', { name: 'Every operation', grantTypes: ['client_credentials'] });
    const [session] = (await admin.expect(200, 'GET', `/users/${user.id}/sessions`)).items;
    const registrationToken = await admin.expect(201, 'POST', '/registration-tokens', {});
    const group = await admin.expect(201, 'POST', '/groups', { name: 'every-operation' });
    await admin.expect(204, 'PUT', `/groups/${group.id}/members/${user.id}`);
    const role = await admin.expect(201, 'POST', '/roles', { name: 'every-operation', resource: resource.indicator, permissions: ['x'] });
    await admin.expect(201, 'POST', `/roles/${role.id}/grants`, { kind: 'user', id: user.id });
    const upstream = await admin.expect(201, 'POST', '/upstreams', { id: 'every-operation', type: 'oidc', issuer: 'https://idp.example.test', clientId: 'k', clientSecret: 's' });
    await kl.store.federatedIdentities.link({ upstreamId: upstream.id, subject: 'every-operation', accountId: user.id, linkedAt: new Date(), lastSignInAt: null });
    const values: Record<string, string> = {
      id: user.id, clientId: other.clientId, indicator: encodeURIComponent(resource.indicator), uid: session.uid, tokenId: registrationToken.id,
      userId: user.id, kind: 'user', holderId: user.id, upstream: upstream.id, subject: 'every-operation',
    };
    // `{id}` is the id of what the path is about.
    const idFor: Record<string, string> = { groups: group.id, roles: role.id, upstreams: upstream.id };

    const order = ['get', 'post', 'put', 'patch', 'delete'];
    const operations = Object.entries(document.paths)
      .flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ path, method, operation })))
      // Removals last, the most specific first, so each call finds what it is about.
      .sort((a, b) => order.indexOf(a.method) - order.indexOf(b.method) || b.path.length - a.path.length);
    expect(operations.length).toBeGreaterThanOrEqual(25);
    const answered: string[] = [];
    for (const { path, method, operation } of operations) {
      const concrete = path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'id' ? idFor[path.split('/')[1]!] : undefined) ?? values[name]!);
      const body = ['post', 'put', 'patch'].includes(method) ? {} : undefined;
      const answer = await admin.call(method.toUpperCase(), concrete, body);
      const label = `${method.toUpperCase()} ${path} (${operation.operationId})`;
      expect([label, answer.status]).not.toEqual([label, 404]);
      expect([label, answer.status]).not.toEqual([label, 405]);
      expect([label, Object.keys(operation.responses)]).toEqual([label, expect.arrayContaining([String(answer.status)])]);
      answered.push(`${label} ${answer.status}`);
    }
    expect(answered).toHaveLength(operations.length);
  });
});

// Only SQLite can be made to refuse appends from outside (its table dropped).
describe('the admin API when the audit trail cannot be written (SQLite)', () => {
  test('a read and a write both fail with 503, and the write changes nothing', async () => {
    const kl = await startKeyline();
    try {
      const admin = await AdminSession.open(kl);
      await auditTampering(kl.config.store).dropAuditTable();
      const read = await admin.call('GET', '/users');
      expect(read.status).toBe(503);
      expect(read.body).toMatchObject({ status: 503, detail: 'The audit trail could not record this call, so it was not carried out. Try again shortly.' });
      expect(read.headers.get('retry-after')).toBe('5');
      const write = await admin.call('POST', '/users', { email: 'unaudited@example.test', password: 'a long enough password' });
      expect(write.status).toBe(503);
      expect(await kl.store.accounts.findByEmail('unaudited@example.test')).toBeUndefined();
    } finally {
      await kl.stop();
    }
  });
});

describe('the admin API through three Keyline processes on one SQLite store', () => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ kl, cleanup } = await startOnBackend(threeNodes(sqliteBackend), {}));
  }, 60_000);
  afterAll(async () => {
    await kl.stop();
    await cleanup();
  });

  test('a token revoked through one node is refused by every node at once', async () => {
    const admin = await AdminSession.open(kl);
    // Round robin: three calls reach the three nodes.
    for (let call = 0; call < 3; call += 1) await admin.expect(200, 'GET', '/users');
    const revoked = await fetch(`${kl.url}/token/revocation`, {
      method: 'POST',
      headers: { authorization: basicAuth(admin.client), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: admin.token }).toString(),
    });
    expect(revoked.status).toBe(200);
    for (let call = 0; call < 3; call += 1) expect((await adminCall(kl, admin.token, 'GET', '/users')).status).toBe(401);
  });
});
