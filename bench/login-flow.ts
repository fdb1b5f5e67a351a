import { createHash, randomBytes } from 'node:crypto';
import { basicAuthorization, type ServerInfo } from './bench-fixtures.ts';
import { BrowserSession, type HttpClient, type HttpResponse } from './http-client.ts';

export interface TokenSet {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
}

export interface LoginOptions {
  scope: string;
  /** `consent` makes the provider show the consent page even when a grant exists (needed for offline_access). */
  prompt?: string;
}

export type Page = HttpResponse & { location?: string };

const FORM_ACTION = /<form method="post" action="([^"]+\/(login|confirm))"/;
const CSRF_FIELD = /name="csrf" value="([^"]*)"/;

export class LoginFlowError extends Error {}

export function describe(step: string, response: Page): LoginFlowError {
  return new LoginFlowError(`${step}: HTTP ${response.status} ${response.location ?? response.text.slice(0, 200).replace(/\s+/g, ' ')}`);
}

/** Follows redirects while they stay on `origin` (a browser would follow them all; the client's callback is not served). */
export async function followWithin(session: BrowserSession, origin: string, response: Page): Promise<Page> {
  let current = response;
  for (let hops = 0; hops < 10 && current.status >= 300 && current.status < 400 && current.location?.startsWith(origin); hops += 1) {
    current = await session.get(current.location);
  }
  return current;
}

/** The client's side of one authorization: PKCE verifier and state, kept for the redirect back. */
export interface Authorization {
  verifier: string;
  state: string;
}

/** authorize (code flow, PKCE S256) and the redirects after it: the server's first page (its login page) in `session`. */
export async function openLoginPage(server: ServerInfo, session: BrowserSession, options: LoginOptions): Promise<{ page: Page; authorization: Authorization }> {
  const authorization = { verifier: randomBytes(32).toString('base64url'), state: randomBytes(12).toString('base64url') };
  const authorize = new URL('/auth', server.url);
  authorize.search = new URLSearchParams({
    client_id: server.web.clientId,
    redirect_uri: server.web.redirectUri,
    response_type: 'code',
    scope: options.scope,
    state: authorization.state,
    nonce: randomBytes(12).toString('base64url'),
    code_challenge: createHash('sha256').update(authorization.verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(options.prompt ? { prompt: options.prompt } : {}),
  }).toString();
  return { page: await followWithin(session, server.url, await session.get(authorize.href)), authorization };
}

export function csrfOf(page: Page): string {
  return CSRF_FIELD.exec(page.text)?.[1] ?? '';
}

/**
 * Fills in the server's login and consent forms (`email` for a login form; none expected without
 * one) until it answers with a redirect off its pages; then takes the code from the redirect to the
 * client and redeems it.
 */
export async function finishAtClient(server: ServerInfo, http: HttpClient, session: BrowserSession, page: Page, authorization: Authorization, email?: string): Promise<TokenSet> {
  let response = page;
  for (let step = 0; step < 3 && response.status === 200; step += 1) {
    const action = FORM_ACTION.exec(response.text);
    if (!action || (action[2] === 'login' && email === undefined)) throw describe('expected a login or consent form', response);
    const form: Record<string, string> = action[2] === 'login'
      ? { email: email!, password: server.users.password, csrf: csrfOf(response) }
      : { csrf: csrfOf(response) };
    const posted = await session.postForm(new URL(action[1]!, server.url).href, form);
    if (posted.status !== 303 && posted.status !== 302) throw describe(`${action[2]} form`, posted);
    response = await followWithin(session, server.url, posted);
  }
  if (!response.location?.startsWith(server.web.redirectUri)) throw describe('expected the redirect back to the client', response);
  const callback = new URL(response.location);
  const code = callback.searchParams.get('code');
  if (!code || callback.searchParams.get('state') !== authorization.state) throw describe('expected a code and the state', response);

  const tokens = await http.postForm(new URL('/token', server.url).href, {
    grant_type: 'authorization_code', code, code_verifier: authorization.verifier, redirect_uri: server.web.redirectUri,
  }, { authorization: basicAuthorization(server.web) });
  if (tokens.status !== 200) throw new LoginFlowError(`code exchange: HTTP ${tokens.status} ${tokens.text.slice(0, 200)}`);
  const body = JSON.parse(tokens.text) as TokenSet;
  if (!body.access_token) throw new LoginFlowError('code exchange: no access_token');
  return body;
}

/**
 * One browser-style login, scripted over HTTP with its own cookie jar:
 * authorize → login form (csrf) → consent form → redirect with code → token.
 * Works the same against Keyline's pages and the peer's minimal ones.
 */
export async function logIn(server: ServerInfo, http: HttpClient, email: string, options: LoginOptions): Promise<TokenSet> {
  const session = new BrowserSession(http);
  const { page, authorization } = await openLoginPage(server, session, options);
  return finishAtClient(server, http, session, page, authorization, email);
}
