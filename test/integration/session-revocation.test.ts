import type { RunningKeyline } from '../support/start-keyline.ts';
import { integrationBackends } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import {
  createTestUser, exchangeCode, introspect, signIn, silentAuthorize, tokenRequest,
  type TestClient, type TestUser,
} from '../support/oidc-flow.ts';
import { runCli } from '../support/run-cli.ts';

const backends = await integrationBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('session revocation on $name', (backend) => {
let kl: RunningKeyline;
let client: TestClient;
useKeyline(backend, {}, (ready) => { ({ kl, client } = ready); });

interface LiveLogin {
  user: TestUser;
  browser: BrowserLikeClient;
  accessToken: string;
  refreshToken: string;
}

async function signedInWithTokens(user?: TestUser): Promise<LiveLogin> {
  const who = user ?? await createTestUser(kl);
  const signedIn = await signIn(kl, client, who, { scope: 'openid offline_access', params: { prompt: 'consent' } });
  const tokens = await exchangeCode(kl, client, signedIn);
  return { user: who, browser: signedIn.browser, accessToken: String(tokens.body.access_token), refreshToken: String(tokens.body.refresh_token) };
}


async function expectFullyRevoked(login: LiveLogin): Promise<void> {
  expect((await introspect(kl, client, login.accessToken)).active).toBe(false);
  const refreshed = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: login.refreshToken });
  expect(refreshed.body.error).toBe('invalid_grant');
  expect((await silentAuthorize(kl, client, login.browser)).searchParams.get('error')).toBe('login_required');
  expect(await kl.store.oidc.listByAccount('Session', login.user.id)).toEqual([]);
}

test('sessions list shows each live session with creation, last use, IP and user agent', async () => {
  const login = await signedInWithTokens();
  await signedInWithTokens(login.user);
  const listed = await runCli(kl, ['sessions', 'list', login.user.email, '--json']);
  expect(listed.code).toBe(0);
  const sessions = JSON.parse(listed.stdout) as Array<Record<string, string>>;
  expect(sessions).toHaveLength(2);
  for (const session of sessions) {
    expect(Date.parse(session.createdAt!)).not.toBeNaN();
    expect(Date.parse(session.lastSeenAt!)).not.toBeNaN();
    expect(session.ip).toBe('127.0.0.1');
    expect(session.userAgent).toBeTruthy();
  }
});

test('sessions revoke signs the user out everywhere: sessions, refresh tokens and access tokens die', async () => {
  const first = await signedInWithTokens();
  const second = await signedInWithTokens(first.user);
  const bystander = await signedInWithTokens();

  const revoked = await runCli(kl, ['sessions', 'revoke', first.user.email, '--yes']);
  expect(revoked.code).toBe(0);
  await expectFullyRevoked(first);
  await expectFullyRevoked(second);

  expect((await introspect(kl, client, bystander.accessToken)).active).toBe(true);
  expect((await silentAuthorize(kl, client, bystander.browser)).searchParams.get('code')).toBeTruthy();
});

test('a password change revokes at once, and the new password works', async () => {
  const login = await signedInWithTokens();
  const changed = await runCli(kl, ['users', 'set-password', login.user.email], 'a brand new passphrase');
  expect(changed.code).toBe(0);
  await expectFullyRevoked(login);
  expect(await kl.keyline.accounts.authenticate(login.user.email, login.user.password)).toBeUndefined();
  expect((await kl.keyline.accounts.authenticate(login.user.email, 'a brand new passphrase'))?.id).toBe(login.user.id);
});

test('disabling an account revokes at once and blocks sign-in until it is enabled', async () => {
  const login = await signedInWithTokens();
  expect((await runCli(kl, ['users', 'disable', login.user.email])).code).toBe(0);
  await expectFullyRevoked(login);
  await expect(signIn(kl, client, login.user)).rejects.toThrow(/401/);
  expect((await runCli(kl, ['users', 'enable', login.user.email])).code).toBe(0);
  await expect(signIn(kl, client, login.user)).resolves.toHaveProperty('code');
});

test('refuses a common password and one that is too long, without truncating', async () => {
  await expect(kl.keyline.accounts.create('common@example.test', 'password123')).rejects.toThrow(/commonly used/);
  await expect(kl.keyline.accounts.create('long@example.test', 'x'.repeat(129))).rejects.toThrow(/at most 128/);
  const long = 'a sixty-four character passphrase is fine and must not be cut...';
  await kl.keyline.accounts.create('long@example.test', `${long}1`);
  expect(await kl.keyline.accounts.authenticate('long@example.test', `${long}2`)).toBeUndefined();
  expect(await kl.keyline.accounts.authenticate('long@example.test', `${long}1`)).toBeDefined();
});
});
