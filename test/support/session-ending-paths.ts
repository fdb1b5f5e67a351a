/**
 * Every way a user's session ends, driven as a person or an administrator would: the RP-initiated
 * logout through the browser, the CLI's revocations, password change and disable, and a refresh
 * token used twice. Shared by the back-channel logout and shared-signals suites, which check what
 * each path delivers.
 */
import { decodeJwt } from 'jose';
import { AccountPages } from './account-pages.ts';
import { hiddenField } from './browser-like-client.ts';
import { createTestUser, exchangeCode, signIn, tokenRequest, type SignInResult, type TestClient, type TestUser } from './oidc-flow.ts';
import { runCli } from './run-cli.ts';
import type { RunningKeyline } from './start-keyline.ts';

export interface SignedIn {
  user: TestUser;
  browser: SignInResult['browser'];
  idToken: string;
  /** The session id the client's id_token carries (what its logout tokens name); only clients that require it get one. */
  sid: string | undefined;
  refreshToken: string;
}

export async function signedIn(kl: RunningKeyline, client: TestClient, user?: TestUser): Promise<SignedIn> {
  const who = user ?? await createTestUser(kl);
  const result = await signIn(kl, client, who, { scope: 'openid offline_access', params: { prompt: 'consent' } });
  const tokens = (await exchangeCode(kl, client, result)).body;
  const idToken = String(tokens.id_token);
  const { sid } = decodeJwt(idToken);
  return { user: who, browser: result.browser, idToken, sid: typeof sid === 'string' ? sid : undefined, refreshToken: String(tokens.refresh_token) };
}

async function cli(kl: RunningKeyline, args: string[], stdin = ''): Promise<void> {
  const result = await runCli(kl, args, stdin);
  if (result.code !== 0) throw new Error(`keyline ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
}

/** "Sign out" on the logout confirmation page the client sent the user to. */
export async function rpInitiatedLogout(kl: RunningKeyline, login: SignedIn): Promise<void> {
  const confirm = await login.browser.get(`${kl.url}/session/end?${new URLSearchParams({ id_token_hint: login.idToken })}`);
  if (confirm.status !== 200) throw new Error(`the logout confirmation answered ${confirm.status}`);
  const done = await login.browser.postForm(`${kl.url}/session/end/confirm`, { xsrf: hiddenField(confirm.text, 'xsrf')!, logout: 'yes' });
  if (done.status !== 303) throw new Error(`the logout answered ${done.status}: ${done.text.slice(0, 200)}`);
}

export function revokeEverywhere(kl: RunningKeyline, login: SignedIn): Promise<void> {
  return cli(kl, ['sessions', 'revoke', login.user.email, '--yes']);
}

/** The uid (as `keyline sessions list` shows it) of the session this login made. */
export async function sessionUidOf(kl: RunningKeyline, login: SignedIn): Promise<string> {
  const stored = await kl.store.oidc.listByAccount('Session', login.user.id);
  const mine = login.sid === undefined && stored.length === 1
    ? stored[0]
    : stored.find(({ payload }) => Object.values((payload.authorizations ?? {}) as Record<string, { sid?: string }>)
      .some((authorization) => authorization.sid === login.sid));
  if (typeof mine?.payload.uid !== 'string') throw new Error('could not find the session this login made');
  return mine.payload.uid;
}

/** `sessions revoke --session <uid>` for the session this login made. */
export async function revokeOneSession(kl: RunningKeyline, login: SignedIn): Promise<void> {
  const uid = await sessionUidOf(kl, login);
  // `--session=<uid>`: a session uid is base64url and may start with '-', which as a separate
  // argument reads as an option (node:util parseArgs refuses it as ambiguous).
  await cli(kl, ['sessions', 'revoke', login.user.email, `--session=${uid}`, '--yes']);
}

export function changePassword(kl: RunningKeyline, login: SignedIn): Promise<void> {
  return cli(kl, ['users', 'set-password', login.user.email], 'an entirely new passphrase');
}

export function disableAccount(kl: RunningKeyline, login: SignedIn): Promise<void> {
  return cli(kl, ['users', 'disable', login.user.email]);
}

export function enableAccount(kl: RunningKeyline, login: SignedIn): Promise<void> {
  return cli(kl, ['users', 'enable', login.user.email]);
}

/**
 * Rotates the refresh token and uses its successor, then presents the first one again: that is
 * reuse (a retry inside the window would get the unused successor instead), and it revokes the grant.
 */
export async function reuseRefreshToken(kl: RunningKeyline, client: TestClient, login: SignedIn): Promise<void> {
  const rotated = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: login.refreshToken });
  if (rotated.status !== 200) throw new Error(`the refresh answered ${rotated.status}`);
  const next = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: String(rotated.body.refresh_token) });
  if (next.status !== 200) throw new Error(`the successor's refresh answered ${next.status}`);
  const reused = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: login.refreshToken });
  if (reused.body.error !== 'invalid_grant') throw new Error(`the reuse answered ${reused.status} ${JSON.stringify(reused.body)}`);
}

/** The user, on the account page in another browser, does something to the session this login made. */
async function onTheAccountPage(kl: RunningKeyline, login: SignedIn, act: (pages: AccountPages, sessionUid: string) => Promise<unknown>): Promise<void> {
  const uid = await sessionUidOf(kl, login);
  const pages = new AccountPages(kl);
  await pages.open('/account/sessions');
  await pages.signIn(login.user);
  if (pages.page.status !== 200) throw new Error(`the account page answered ${pages.page.status}`);
  await act(pages, uid);
  if (pages.page.status !== 200) throw new Error(`the account page's change answered ${pages.page.status}: ${pages.page.text.slice(0, 200)}`);
}

/** Each path by name, for one test per path. */
export function sessionEndingPaths(kl: () => RunningKeyline, client: () => TestClient): Array<[string, (login: SignedIn) => Promise<void>]> {
  return [
    ['RP-initiated logout', (login) => rpInitiatedLogout(kl(), login)],
    ['keyline sessions revoke', (login) => revokeEverywhere(kl(), login)],
    ['keyline sessions revoke --session', (login) => revokeOneSession(kl(), login)],
    ['a password change', (login) => changePassword(kl(), login)],
    ['an account disable', (login) => disableAccount(kl(), login)],
    ['refresh-token reuse detection', (login) => reuseRefreshToken(kl(), client(), login)],
    ['"End session" on the account page', (login) => onTheAccountPage(kl(), login, (pages, uid) => pages.post(`/account/sessions/${encodeURIComponent(uid)}/end`))],
    ['"Sign out everywhere else" on the account page', (login) => onTheAccountPage(kl(), login, (pages) => pages.post('/account/sessions/end-others'))],
    ['a password change on the account page', (login) => onTheAccountPage(kl(), login, async (pages) => {
      await pages.open('/account/password');
      await pages.post('/account/password', { current: login.user.password, password: 'an entirely new passphrase' });
    })],
  ];
}
