import type { ServerInfo } from './bench-fixtures.ts';
import { BrowserSession, type HttpClient } from './http-client.ts';
import { csrfOf, describe, finishAtClient, followWithin, openLoginPage, type LoginOptions, type Page, type TokenSet } from './login-flow.ts';

const UPSTREAM_LOGIN_FORM = /<form method="post" action="(\/interaction\/[^"]+\/login)"/;

/** The upstream buttons on a Keyline login page: each one's form action (`/interaction/<uid>/upstream/<id>`), by upstream id. */
export function upstreamButtonsOn(page: Page): Map<string, string> {
  const buttons = page.text.matchAll(/<form method="post" action="(\/interaction\/[^"/]+\/upstream\/([^"/]+))"/g);
  return new Map([...buttons].map((match) => [decodeURIComponent(match[2]!), match[1]!]));
}

/**
 * One sign-in through an upstream OpenID Provider, scripted over HTTP: Keyline's authorize → its
 * login page → the upstream's button → the upstream's authorize and its own login (as `userName`) →
 * Keyline's callback → the return under the interaction (a first sign-in provisions the account) →
 * consent → code → token. The browser keeps each site's cookies apart, as it would for two host
 * names (both bare oidc-provider cookie sets share names, and cookies do not tell ports apart).
 */
export async function logInThroughUpstream(
  server: ServerInfo, http: HttpClient, upstreamId: string, userName: string, options: LoginOptions,
): Promise<{ tokens: TokenSet; loginPage: Page }> {
  const upstreamOrigin = server.upstreams?.issuer;
  if (!upstreamOrigin) throw new Error(`${server.kind} offers no upstreams`);
  const atKeyline = new BrowserSession(http);
  const atUpstream = new BrowserSession(http);
  const { page: loginPage, authorization } = await openLoginPage(server, atKeyline, options);
  const button = loginPage.status === 200 ? upstreamButtonsOn(loginPage).get(upstreamId) : undefined;
  if (!button) throw describe(`expected a login page with the ${upstreamId} button`, loginPage);

  const started = await atKeyline.postForm(new URL(button, server.url).href, { csrf: csrfOf(loginPage) });
  if (started.status !== 303 || !started.location?.startsWith(upstreamOrigin)) throw describe('expected the redirect to the upstream', started);
  const upstreamLogin = await followWithin(atUpstream, upstreamOrigin, await atUpstream.get(started.location));
  const action = UPSTREAM_LOGIN_FORM.exec(upstreamLogin.text)?.[1];
  if (upstreamLogin.status !== 200 || !action) throw describe('expected the upstream\'s login page', upstreamLogin);
  const answer = await followWithin(atUpstream, upstreamOrigin, await atUpstream.postForm(new URL(action, upstreamOrigin).href, { login: userName }));
  if (!answer.location?.startsWith(`${server.url}/federation/${upstreamId}/callback`)) throw describe('expected the upstream\'s answer to Keyline\'s callback', answer);

  const back = await followWithin(atKeyline, server.url, await atKeyline.get(answer.location));
  return { tokens: await finishAtClient(server, http, atKeyline, back, authorization), loginPage };
}
