import { BrowserLikeClient, hiddenField, type Response } from './browser-like-client.ts';
import { authorizeUrl, pkcePair, type TestClient } from './oidc-flow.ts';
import type { DirectoryPerson, TestDirectory } from './slapd.ts';
import type { RunningKeyline } from './start-keyline.ts';
import type { AdminSession } from './admin-api.ts';

/** The directory's person most tests sign in as. */
export const ALICE: DirectoryPerson = { uid: 'alice', cn: 'Alice Example', mail: 'alice@acme.test', password: 'alice directory secret' };

/** An LDAP upstream on the test directory, added through the admin API as an operator would. */
export function addDirectoryUpstream(admin: AdminSession, directory: TestDirectory, settings: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return admin.expect(201, 'POST', '/upstreams', {
    id: 'acme', type: 'ldap', name: 'Acme directory', url: directory.url, bindDn: directory.serviceDn, bindPassword: directory.servicePassword,
    userSearchBase: directory.peopleBase, userFilter: '(|(mail={email})(uid={username}))', groupSearchBase: directory.groupsBase, groupFilter: '(member={dn})',
    ...settings,
  });
}

export interface InteractionStart {
  browser: BrowserLikeClient;
  /** The first interaction page (the login page). */
  page: Response;
  uid: string;
  csrf: string;
  verifier: string;
}

/** A fresh browser at a new authorization request's login page. */
export async function startInteraction(kl: RunningKeyline, client: TestClient, headers: Record<string, string> = {}): Promise<InteractionStart> {
  const browser = new BrowserLikeClient();
  const { verifier, challenge } = pkcePair();
  const first = await browser.get(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256' }), headers);
  const uid = /\/interaction\/([^/?#]+)/.exec(first.location ?? '')?.[1];
  if (!uid) throw new Error(`authorize did not send to an interaction: ${first.status} ${first.location}`);
  const page = await browser.followWithin(kl.url, first, headers);
  return { browser, page, uid, csrf: hiddenField(page.text, 'csrf') ?? '', verifier };
}

/** Posts the directory page's form for this interaction. */
export function postDirectoryPassword(
  kl: RunningKeyline, start: InteractionStart, username: string, password: string, options: { upstream?: string; headers?: Record<string, string>; csrf?: string } = {},
): Promise<Response> {
  return start.browser.postForm(`${kl.url}/interaction/${start.uid}/upstream/${options.upstream ?? 'acme'}/password`, {
    username, password, csrf: options.csrf ?? start.csrf,
  }, options.headers);
}

/** From a 303 after a sign-in step, through a consent page when asked, to the client's redirect URI: the code. */
export async function codeAfter(kl: RunningKeyline, client: TestClient, start: InteractionStart, answer: Response): Promise<string> {
  let response = await start.browser.followWithin(kl.url, answer);
  // The consent step is an interaction of its own (a new uid): its form says where it posts.
  const consent = /action="(\/interaction\/[^"]+\/confirm)"/.exec(response.text);
  if (response.status === 200 && consent) {
    const confirmed = await start.browser.postForm(`${kl.url}${consent[1]}`, { csrf: hiddenField(response.text, 'csrf') ?? '' });
    response = await start.browser.followWithin(kl.url, confirmed);
  }
  if (!response.location?.startsWith(client.redirectUri)) throw new Error(`the sign-in did not reach the client: ${response.status} ${response.text.slice(0, 300)}`);
  const code = new URL(response.location).searchParams.get('code');
  if (!code) throw new Error(`no code in ${response.location}`);
  return code;
}
