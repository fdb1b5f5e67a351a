import { createHash, randomBytes } from 'node:crypto';
import { registerClient, type ClientRegistration } from '../../src/oidc/client-registration.ts';
import { BrowserLikeClient, hiddenField, type Response } from './browser-like-client.ts';
import type { RunningKeyline } from './start-keyline.ts';

export interface TestClient {
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
}

export const REDIRECT_URI = 'http://127.0.0.1:9/callback';

export async function registerTestClient(kl: RunningKeyline, overrides: Partial<ClientRegistration> = {}): Promise<TestClient> {
  const registered = await registerClient({ provider: kl.keyline.provider, resources: kl.keyline.resources, allowPrivateNetworks: kl.config.outbound.allowPrivateNetworks, claimScopes: Object.keys(kl.config.claims) }, {
    name: 'Test App',
    redirectUris: [REDIRECT_URI],
    postLogoutRedirectUris: ['http://127.0.0.1:9/signed-out'],
    grantTypes: ['authorization_code', 'refresh_token'],
    scopes: 'openid profile email offline_access',
    isPublic: false,
    pkceOptional: false,
    resources: [],
    ...overrides,
  });
  const now = new Date();
  await kl.store.clients.create({ clientId: registered.clientId, metadata: registered.metadata, createdAt: now, updatedAt: now });
  return { clientId: registered.clientId, clientSecret: registered.clientSecret, redirectUri: (overrides.redirectUris ?? [REDIRECT_URI])[0]! };
}

let userCounter = 0;

export async function createTestUser(kl: RunningKeyline, password = 'correct horse battery staple'): Promise<TestUser> {
  userCounter += 1;
  const email = `user${userCounter}-${randomBytes(4).toString('hex')}@example.test`;
  const account = await kl.keyline.accounts.create(email, password, `User ${userCounter}`);
  return { id: account.id, email, password };
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function basicAuth(client: TestClient): string {
  const encode = (value: string) => encodeURIComponent(value);
  return `Basic ${Buffer.from(`${encode(client.clientId)}:${encode(client.clientSecret ?? '')}`).toString('base64')}`;
}

export function authorizeUrl(kl: RunningKeyline, client: TestClient, params: Record<string, string | undefined>): string {
  const url = new URL('/auth', kl.url);
  const defaults = { client_id: client.clientId, redirect_uri: client.redirectUri, response_type: 'code', scope: 'openid email profile' };
  for (const [key, value] of Object.entries({ ...defaults, ...params })) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  return url.href;
}

export interface SignInResult {
  browser: BrowserLikeClient;
  callback: URL;
  code: string;
  verifier: string;
  nonce: string;
  state: string;
}

/** Drives authorize → login form → consent form (when asked) → the redirect back with a code. */
export async function signIn(
  kl: RunningKeyline,
  client: TestClient,
  user: TestUser,
  options: { browser?: BrowserLikeClient; scope?: string; params?: Record<string, string>; remember?: boolean } = {},
): Promise<SignInResult> {
  const browser = options.browser ?? new BrowserLikeClient();
  const { verifier, challenge } = pkcePair();
  const nonce = randomBytes(12).toString('base64url');
  const state = randomBytes(12).toString('base64url');
  let response: Response = await browser.get(authorizeUrl(kl, client, {
    scope: options.scope ?? 'openid email profile',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    nonce,
    state,
    ...options.params,
  }));
  response = await continueSignIn(kl, browser, response, user, options.remember);
  if (!response.location?.startsWith(client.redirectUri)) {
    throw new Error(`sign-in did not reach the redirect URI: ${response.status} ${response.location ?? response.text.slice(0, 300)}`);
  }
  const callback = new URL(response.location);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code in callback: ${callback.href}`);
  return { browser, callback, code, verifier, nonce, state };
}

/** From an answer of the authorization endpoint, through the login and consent pages, to the redirect back. */
export async function continueSignIn(kl: RunningKeyline, browser: BrowserLikeClient, answer: Response, user: TestUser, remember = false): Promise<Response> {
  let response = await browser.followWithin(kl.url, answer);
  for (let step = 0; step < 3 && response.status === 200; step += 1) {
    response = await submitInteractionPage(kl, browser, response, user, remember);
  }
  return response;
}

export interface LoginPage {
  browser: BrowserLikeClient;
  page: Response;
  /** The absolute URL the login form posts to. */
  action: string;
  csrf: string;
}

/** A fresh browser at the login page of a new authorization request, as the user sees it. */
export async function openLoginPage(kl: RunningKeyline, client: TestClient, headers: Record<string, string> = {}): Promise<LoginPage> {
  const browser = new BrowserLikeClient();
  const { challenge } = pkcePair();
  const page = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256' }), headers));
  const action = /action="([^"]+\/login)"/.exec(page.text);
  if (!action) throw new Error(`expected a login page, got ${page.status}: ${page.text.slice(0, 300)}`);
  return { browser, page, action: new URL(action[1]!, kl.url).href, csrf: hiddenField(page.text, 'csrf')! };
}

/** Opens a login page and posts these credentials to it, from the client IP given in X-Forwarded-For when set. */
export async function attemptLogin(
  kl: RunningKeyline, client: TestClient, email: string, password: string, headers: Record<string, string> = {},
): Promise<Response> {
  const { browser, action, csrf } = await openLoginPage(kl, client, headers);
  return browser.postForm(action, { email, password, csrf }, headers);
}

async function submitInteractionPage(
  kl: RunningKeyline, browser: BrowserLikeClient, page: Response, user: TestUser, remember = false,
): Promise<Response> {
  const action = /<form method="post" action="([^"]+\/(login|confirm))"/.exec(page.text);
  if (!action) throw new Error(`expected a login or consent form, got: ${page.text.slice(0, 300)}`);
  const csrf = hiddenField(page.text, 'csrf') ?? '';
  const form: Record<string, string> = action[2] === 'login'
    ? { email: user.email, password: user.password, csrf, ...(remember ? { remember: 'yes' } : {}) }
    : { csrf };
  const posted = await browser.postForm(new URL(action[1]!, kl.url).href, form);
  if (posted.status !== 303) throw new Error(`form post answered ${posted.status}: ${posted.text.slice(0, 300)}`);
  return browser.followWithin(kl.url, posted);
}

export async function tokenRequest(kl: RunningKeyline, client: TestClient, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(new URL('/token', kl.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(client.clientSecret ? { authorization: basicAuth(client) } : {}),
    },
    body: new URLSearchParams(client.clientSecret ? form : { client_id: client.clientId, ...form }).toString(),
  });
  return { status: response.status, body: await response.json() as Record<string, unknown>, headers: response.headers };
}

export function exchangeCode(kl: RunningKeyline, client: TestClient, signedIn: Pick<SignInResult, 'code' | 'verifier'>) {
  return tokenRequest(kl, client, {
    grant_type: 'authorization_code',
    code: signedIn.code,
    code_verifier: signedIn.verifier,
    redirect_uri: client.redirectUri,
  });
}

export async function introspect(kl: RunningKeyline, client: TestClient, token: string): Promise<Record<string, unknown>> {
  const response = await fetch(new URL('/token/introspection', kl.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(client) },
    body: new URLSearchParams({ token }).toString(),
  });
  return await response.json() as Record<string, unknown>;
}

/** Asks for a code with prompt=none in this browser; the callback says whether its session is alive. */
export async function silentAuthorize(kl: RunningKeyline, client: TestClient, browser: BrowserLikeClient, scope = 'openid'): Promise<URL> {
  const { challenge } = pkcePair();
  const response = await browser.followWithin(kl.url, await browser.get(authorizeUrl(kl, client, {
    prompt: 'none', scope, code_challenge: challenge, code_challenge_method: 'S256',
  })));
  if (!response.location) throw new Error(`prompt=none did not redirect: ${response.status}`);
  return new URL(response.location);
}
