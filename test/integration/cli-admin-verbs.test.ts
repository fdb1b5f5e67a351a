import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { adminApiIndicator } from '../../src/oidc/admin-api-resource.ts';
import { adminCall, clientCredentialsToken } from '../support/admin-api.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import { attemptLogin, exchangeCode, registerTestClient, signIn, tokenRequest, type TestClient } from '../support/oidc-flow.ts';
import { submitSelfServiceForm } from '../support/self-service-flow.ts';
import { runCli as keyline } from '../support/run-cli.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

let kl: RunningKeyline;
let codeClient: TestClient;
beforeAll(async () => {
  kl = await startKeyline();
  codeClient = await registerTestClient(kl);
});
afterAll(() => kl.stop());

const PASSWORD = 'a long enough password';

async function json<T = Record<string, any>>(args: string[], stdin = ''): Promise<T> {
  const result = await keyline(kl, args, stdin);
  if (result.code !== 0) throw new Error(`keyline ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

function freshEmail(): string {
  return `cli-${randomUUID().slice(0, 8)}@example.test`;
}

async function signedInWithRefreshToken(email: string): Promise<string> {
  const signedIn = await signIn(kl, codeClient, { id: '', email, password: PASSWORD }, { scope: 'openid offline_access', params: { prompt: 'consent' } });
  return String((await exchangeCode(kl, codeClient, signedIn)).body.refresh_token);
}

async function addFactorAndCodes(accountId: string): Promise<void> {
  await kl.store.factors.add({
    id: randomUUID(), accountId, type: 'totp', name: 'Authenticator app', counter: 7, credentialId: null,
    data: { sealedSecret: 'v1.sealed-totp-secret' }, createdAt: new Date('2026-02-03T04:05:06Z'), lastUsedAt: new Date('2026-02-04T04:05:06Z'),
  });
  await kl.store.recoveryCodes.replace(accountId, ['code-hash-1', 'code-hash-2', 'code-hash-3']);
  await kl.store.recoveryCodes.use(accountId, 'code-hash-2');
}

test('users add takes the standard claims and --verified; users show lists them with the factors, never a secret', async () => {
  const email = freshEmail();
  const added = await json(['users', 'add', email, '--name', 'Ada L', '--verified', '--given-name', 'Ada', '--family-name', 'Lovelace',
    '--birthdate', '1815-12-10', '--phone', '+441234567890', '--address-locality', 'London', '--address-country', 'GB', '--locale', 'en-gb'], PASSWORD);
  expect(added).toMatchObject({
    email, name: 'Ada L', emailVerified: true,
    profile: { given_name: 'Ada', family_name: 'Lovelace', birthdate: '1815-12-10', phone_number: '+441234567890', locale: 'en-GB', address: { locality: 'London', country: 'GB' } },
  });
  // The claims reach the tokens (signed in before a second factor is added: then every sign-in asks for it).
  const signedIn = await signIn(kl, codeClient, { id: '', email, password: PASSWORD }, { scope: 'openid profile email' });
  const { access_token: accessToken } = (await exchangeCode(kl, codeClient, signedIn)).body;
  const userinfo = await (await fetch(`${kl.url}/me`, { headers: { authorization: `Bearer ${String(accessToken)}` } })).json();
  expect(userinfo).toMatchObject({ email, email_verified: true, given_name: 'Ada', family_name: 'Lovelace', locale: 'en-GB' });
  await addFactorAndCodes(added.id);

  const shown = await json(['users', 'show', email]);
  expect(shown).toMatchObject({ ...added, recoveryCodesUnused: 2 });
  expect(shown.factors).toEqual([{
    id: expect.any(String), type: 'totp', name: 'Authenticator app', createdAt: '2026-02-03T04:05:06.000Z', lastUsedAt: '2026-02-04T04:05:06.000Z',
  }]);
  const text = JSON.stringify(shown);
  expect(text).not.toMatch(/sealed|argon2|passwordHash|code-hash/);
});

test('users update changes the name and claims, "" removes one, --disabled ends the sessions and --enabled lets them back', async () => {
  const email = freshEmail();
  await json(['users', 'add', email, '--given-name', 'Grace', '--nickname', 'Amazing', '--address-locality', 'Arlington'], PASSWORD);
  const refreshToken = await signedInWithRefreshToken(email);

  const updated = await json(['users', 'update', email, '--name', 'Grace Hopper', '--nickname', '', '--zoneinfo', 'America/New_York', '--address-locality', '', '--address-country', 'US']);
  expect(updated).toMatchObject({ name: 'Grace Hopper', disabled: false });
  expect(updated.profile).toEqual({ given_name: 'Grace', zoneinfo: 'America/New_York', address: { country: 'US' } });
  expect((await tokenRequest(kl, codeClient, { grant_type: 'refresh_token', refresh_token: refreshToken })).status).toBe(200);

  const disabled = await json(['users', 'update', email, '--disabled']);
  expect(disabled.disabled).toBe(true);
  const account = (await kl.store.accounts.findByEmail(email))!;
  expect(await kl.store.oidc.listByAccount('Session', account.id)).toEqual([]);
  expect((await json(['users', 'update', email, '--enabled'])).disabled).toBe(false);

  const events = (await kl.store.audit.query({ accountId: account.id, limit: 50 })).filter((event) => event.type.startsWith('user.')).reverse();
  expect(events.map((event) => event.type)).toEqual(['user.created', 'user.updated', 'user.disabled', 'user.enabled']);
  expect(events[1]).toMatchObject({
    actor: expect.stringMatching(/^cli/),
    data: { before: { name: null, nickname: 'Amazing', zoneinfo: null, address: { locality: 'Arlington' } }, after: { name: 'Grace Hopper', nickname: null, zoneinfo: 'America/New_York', address: { country: 'US' } } },
  });
});

test('users reset-link prints a one-time link that works without mail: the new password replaces the old, and their refresh tokens end', async () => {
  const email = freshEmail();
  await json(['users', 'add', email], PASSWORD);
  const refreshToken = await signedInWithRefreshToken(email);
  const printed = await keyline(kl, ['users', 'reset-link', email]);
  expect(printed.code).toBe(0);
  const link = printed.stdout.trim();
  expect(link).toMatch(new RegExp(`^${kl.url}/password/reset\\?token=[\\w-]{43}$`));
  expect(printed.stderr).toContain('valid for 30 minutes');
  expect((await kl.store.audit.query({ email, type: 'password.reset_link_issued', limit: 10 }))).toHaveLength(1);

  const url = new URL(link);
  const { answer } = await submitSelfServiceForm(kl, url.pathname + url.search, { password: 'the password after the reset' });
  expect(answer.status).toBe(200);
  expect((await attemptLogin(kl, codeClient, email, PASSWORD)).status).toBe(401);
  expect((await attemptLogin(kl, codeClient, email, 'the password after the reset')).status).toBe(303);
  expect((await tokenRequest(kl, codeClient, { grant_type: 'refresh_token', refresh_token: refreshToken })).status).toBe(400);
  expect((await new BrowserLikeClient().get(link)).status).toBe(410);
  expect((await keyline(kl, ['users', 'reset-link', 'nobody@example.test'])).code).not.toBe(0);
});

test('users verify marks the email verified, once', async () => {
  const email = freshEmail();
  await json(['users', 'add', email], PASSWORD);
  const verified = await keyline(kl, ['users', 'verify', email]);
  expect(verified).toMatchObject({ code: 0, stdout: `${email} is verified (email_verified: true)\n` });
  expect((await kl.store.accounts.findByEmail(email))?.emailVerified).toBe(true);
  expect((await keyline(kl, ['users', 'verify', email])).code).toBe(0);
  expect((await kl.store.audit.query({ email, type: 'user.email_verified', limit: 10 }))).toHaveLength(1);
});

test('users reset-mfa removes the factors and recovery codes and signs the user out everywhere, with --yes', async () => {
  const email = freshEmail();
  const { id } = await json(['users', 'add', email], PASSWORD);
  const refreshToken = await signedInWithRefreshToken(email);
  await addFactorAndCodes(id);

  const refused = await keyline(kl, ['users', 'reset-mfa', email]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/^keyline: resetting .* pass --yes to confirm \(there is no terminal to ask on\)\n$/);
  expect(await kl.store.factors.listByAccount(id)).toHaveLength(1);

  const reset = await keyline(kl, ['users', 'reset-mfa', email, '--yes']);
  expect(reset.code).toBe(0);
  expect(reset.stdout).toMatch(/^removed 1 second factor\(s\) and the recovery codes of .*, and signed them out everywhere/);
  expect(await kl.store.factors.listByAccount(id)).toEqual([]);
  expect(await kl.store.recoveryCodes.countUnused(id)).toBe(0);
  expect((await tokenRequest(kl, codeClient, { grant_type: 'refresh_token', refresh_token: refreshToken })).body.error).toBe('invalid_grant');
  expect((await json(['users', 'show', email])).factors).toEqual([]);
  const [event] = await kl.store.audit.query({ accountId: id, type: 'user.mfa_reset', limit: 1 });
  expect(event?.data).toMatchObject({ factorsRemoved: [{ type: 'totp', name: 'Authenticator app' }], recoveryCodesRemoved: 2, sessionsRevoked: true });
});

test('users remove asks to confirm, then removes the user with their sessions, tokens, factors, codes and consents', async () => {
  const email = freshEmail();
  const { id } = await json(['users', 'add', email], PASSWORD);
  const refreshToken = await signedInWithRefreshToken(email);
  await addFactorAndCodes(id);

  const refused = await keyline(kl, ['users', 'remove', email]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/pass --yes to confirm/);
  expect(await kl.store.accounts.findById(id)).toBeDefined();

  const removed = await keyline(kl, ['users', 'remove', email, '--yes']);
  expect(removed.code).toBe(0);
  expect(removed.stdout).toMatch(new RegExp(`^removed ${email.replace('.', '\\.')} \\(\\d+ sessions, grants and tokens, 1 second factor\\(s\\)\\)\\n$`));
  expect(await kl.store.accounts.findById(id)).toBeUndefined();
  expect(await kl.store.factors.listByAccount(id)).toEqual([]);
  expect(await kl.store.recoveryCodes.countUnused(id)).toBe(0);
  expect(await kl.store.consents.find(id, codeClient.clientId)).toBeUndefined();
  expect((await tokenRequest(kl, codeClient, { grant_type: 'refresh_token', refresh_token: refreshToken })).body.error).toBe('invalid_grant');
  const again = await keyline(kl, ['users', 'remove', email, '--yes']);
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/no user with email/);
  // The address is free again.
  expect((await keyline(kl, ['users', 'add', email], PASSWORD)).code).toBe(0);
});

test.each([
  [['users', 'update', 'nobody@example.test', '--name', 'X'], /no user with email nobody@example\.test/],
  [['users', 'update', 'UPDATE_TARGET'], /nothing to change/],
  [['users', 'update', 'UPDATE_TARGET', '--birthdate', '3000-01-01'], /birthdate: must be a date as YYYY-MM-DD/],
  [['users', 'update', 'UPDATE_TARGET', '--phone', '555-1234', '--website', 'ftp://x'], /website: must be an http\(s\) URL; phone_number: must be an E\.164 number/],
  [['users', 'update', 'UPDATE_TARGET', '--disabled', '--enabled'], /contradict each other/],
  [['users', 'update', 'UPDATE_TARGET', '--shoe-size', '42'], /Unknown option '--shoe-size'/],
  [['users', 'show'], /missing <email>/],
  [['users', 'reset-mfa', 'nobody@example.test', '--yes'], /no user with email/],
  [['clients', 'add', '--admin', '--grant-types', 'authorization_code'], /--admin sets the grant type, resource and scope itself/],
  [['clients', 'add', '--read-only', '--name', 'X'], /--read-only and --helpdesk are for --admin clients/],
  [['resources', 'update', 'https://never.example.test', '--name', 'X'], /no resource https:\/\/never\.example\.test in the store/],
  [['resources', 'update', 'https://never.example.test'], /nothing to change/],
  [['resources', 'update', 'https://never.example.test', '--token-ttl', 'soon'], /--token-ttl takes a number of seconds/],
])('refuses bad input with one precise line and changes nothing: keyline %j', async (args, message) => {
  const target = freshEmail();
  await json(['users', 'add', target, '--name', 'Unchanged'], PASSWORD);
  const before = await kl.store.accounts.findByEmail(target);
  const result = await keyline(kl, args.map((arg) => (arg === 'UPDATE_TARGET' ? target : arg)));
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(await kl.store.accounts.findByEmail(target)).toEqual(before);
});

test('clients add --admin makes a client whose client-credentials token works on the admin API; --read-only only reads, --helpdesk only helps', async () => {
  const full = await json<{ client_id: string; client_secret: string; client_name: string; keyline_resources: string[]; keyline_api_scopes: string[] }>(['clients', 'add', '--admin']);
  expect(full).toMatchObject({ client_name: 'Keyline admin', grant_types: ['client_credentials'], keyline_resources: [adminApiIndicator(kl.url)], keyline_api_scopes: ['keyline:admin'] });
  const reader = await json<{ client_id: string; client_secret: string }>(['clients', 'add', '--admin', '--read-only', '--name', 'Dashboards']);
  const asClient = (created: { client_id: string; client_secret: string }): TestClient => ({ clientId: created.client_id, clientSecret: created.client_secret, redirectUri: '' });

  const writeToken = await clientCredentialsToken(kl, asClient(full), 'keyline:admin');
  expect(decodeJwt(writeToken)).toMatchObject({ aud: adminApiIndicator(kl.url), scope: 'keyline:admin', client_id: full.client_id });
  const readToken = await clientCredentialsToken(kl, asClient(reader), 'keyline:admin:read');
  expect((await adminCall(kl, readToken, 'GET', '/clients')).status).toBe(200);
  expect((await adminCall(kl, readToken, 'POST', '/users', { email: freshEmail(), password: PASSWORD })).status).toBe(403);
  expect((await adminCall(kl, writeToken, 'POST', '/users', { email: freshEmail(), password: PASSWORD })).status).toBe(201);
  // A read-only client asking for the write scope gets a token without it, which cannot write.
  const asked = await tokenRequest(kl, asClient(reader), { grant_type: 'client_credentials', scope: 'keyline:admin' });
  expect(asked.status).toBe(200);
  expect(decodeJwt(String(asked.body.access_token)).scope).toBeUndefined();
  expect((await adminCall(kl, String(asked.body.access_token), 'POST', '/users', { email: freshEmail(), password: PASSWORD })).status).toBe(403);
  // --helpdesk: the help desk's operations, nothing else.
  const helpdesk = await json<{ client_id: string; client_secret: string; client_name: string; keyline_api_scopes: string[] }>(['clients', 'add', '--admin', '--helpdesk']);
  expect(helpdesk).toMatchObject({ client_name: 'Keyline help desk', keyline_api_scopes: ['keyline:helpdesk'] });
  const helpdeskToken = await clientCredentialsToken(kl, asClient(helpdesk), 'keyline:helpdesk');
  expect((await adminCall(kl, helpdeskToken, 'GET', '/users')).status).toBe(200);
  expect((await adminCall(kl, helpdeskToken, 'GET', '/clients')).status).toBe(403);
});

test('resources update changes a stored API for the running server; the admin API is built in and listed', async () => {
  const api = `https://cli-${randomUUID().slice(0, 8)}.example.test`;
  expect((await keyline(kl, ['resources', 'add', api, '--scopes', 'a:read,a:write'])).code).toBe(0);
  const updated = await json(['resources', 'update', api, '--name', 'CLI API', '--scopes', 'a:read a:admin', '--signing-alg', 'ES256', '--token-ttl', '120']);
  expect(updated).toMatchObject({ indicator: api, name: 'CLI API', scopes: ['a:read', 'a:admin'], signingAlg: 'ES256', accessTokenTtl: 120 });
  const cleared = await json(['resources', 'update', api, '--name', '', '--token-ttl', '']);
  expect(cleared).toMatchObject({ name: null, accessTokenTtl: null });
  const listed = await json<Array<{ indicator: string; source: string }>>(['resources', 'list', '--json']);
  expect(listed).toEqual(expect.arrayContaining([expect.objectContaining({ indicator: adminApiIndicator(kl.url), source: 'builtin' })]));
  const builtIn = await keyline(kl, ['resources', 'remove', adminApiIndicator(kl.url)]);
  expect(builtIn.code).toBe(1);
  expect(builtIn.stderr).toMatch(/is built into Keyline and cannot be removed/);
  const types = (await kl.store.audit.query({ limit: 500 })).filter((event) => event.data.indicator === api).map((event) => event.type).reverse();
  expect(types).toEqual(['resource.created', 'resource.updated', 'resource.updated']);
});

test('users --help describes every verb', async () => {
  const help = await keyline(kl, ['users', '--help']);
  for (const verb of ['add', 'list', 'show', 'update', 'verify', 'set-password', 'disable', 'enable', 'unlock', 'reset-mfa', 'reset-link', 'remove', '--verified', '--given-name', '--phone', '--address-locality']) {
    expect(help.stdout).toContain(verb);
  }
  expect((await keyline(kl, ['clients', '--help'])).stdout).toMatch(/add --admin \[--read-only \| --helpdesk\]/);
  expect((await keyline(kl, ['resources', '--help'])).stdout).toMatch(/update <url>/);
});
