import { DEVICE_CODE_GRANT } from '../../src/oidc/client-registration.ts';
import { BrowserLikeClient, hiddenField, type Response } from './browser-like-client.ts';
import { basicAuth, registerTestClient, type TestClient, type TestUser } from './oidc-flow.ts';
import type { RunningKeyline } from './start-keyline.ts';

export interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** A TV-like client: the device_code grant (and refresh tokens), no redirect URIs. */
export function registerDeviceClient(kl: RunningKeyline, options: { isPublic?: boolean; name?: string } = {}): Promise<TestClient> {
  return registerTestClient(kl, {
    name: options.name ?? 'Living-room TV',
    grantTypes: [DEVICE_CODE_GRANT, 'refresh_token'],
    redirectUris: [],
    postLogoutRedirectUris: [],
    isPublic: options.isPublic ?? false,
  });
}

/** A form post the way the device itself authenticates: HTTP Basic when confidential, its client_id when public. */
function clientPost(kl: RunningKeyline, client: TestClient, path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(new URL(path, kl.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(client.clientSecret ? { authorization: basicAuth(client) } : {}),
      ...headers,
    },
    body: new URLSearchParams(client.clientSecret ? form : { client_id: client.clientId, ...form }).toString(),
  });
}

/** The device asks for a code (RFC 8628 §3.1). */
export async function startDeviceAuthorization(kl: RunningKeyline, client: TestClient, scope = 'openid profile email'): Promise<DeviceAuthorization> {
  const response = await clientPost(kl, client, '/device/auth', { scope });
  if (response.status !== 200) throw new Error(`device authorization answered ${response.status}: ${await response.text()}`);
  return await response.json() as DeviceAuthorization;
}

/** One poll of the token endpoint (RFC 8628 §3.4). */
export async function pollForTokens(kl: RunningKeyline, client: TestClient, deviceCode: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await clientPost(kl, client, '/token', { grant_type: DEVICE_CODE_GRANT, device_code: deviceCode });
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

/** The person opens the user-code page and types a code. */
export async function enterUserCode(kl: RunningKeyline, browser: BrowserLikeClient, typed: string, headers: Record<string, string> = {}): Promise<Response> {
  const page = await browser.get(`${kl.url}/device`, headers);
  if (page.status !== 200) throw new Error(`the user-code page answered ${page.status}: ${page.text.slice(0, 300)}`);
  return browser.postForm(`${kl.url}/device`, { xsrf: hiddenField(page.text, 'xsrf') ?? '', user_code: typed }, headers);
}

/** "Continue" on the confirm page, then the sign-in it leads to. */
export async function confirmUserCode(kl: RunningKeyline, browser: BrowserLikeClient, confirmPage: Response, headers: Record<string, string> = {}): Promise<Response> {
  const posted = await browser.postForm(`${kl.url}/device`, {
    xsrf: hiddenField(confirmPage.text, 'xsrf') ?? '', user_code: hiddenField(confirmPage.text, 'user_code') ?? '', confirm: 'yes',
  }, headers);
  return browser.followWithin(kl.url, posted, headers);
}

/** "Cancel" on the confirm page. */
export function cancelUserCode(kl: RunningKeyline, browser: BrowserLikeClient, confirmPage: Response): Promise<Response> {
  return browser.postForm(`${kl.url}/device`, {
    xsrf: hiddenField(confirmPage.text, 'xsrf') ?? '', user_code: hiddenField(confirmPage.text, 'user_code') ?? '', abort: 'yes',
  });
}

/** Signs in and consents on the pages that follow the confirm step, until the device flow's last page. */
export async function signInForDevice(kl: RunningKeyline, browser: BrowserLikeClient, page: Response, user: TestUser): Promise<{ pages: string[]; last: Response }> {
  const pages: string[] = [];
  let current = page;
  for (let step = 0; step < 4; step += 1) {
    const action = /<form method="post" action="([^"]+\/(login|confirm))"/.exec(current.text);
    if (!action) break;
    pages.push(current.text);
    const csrf = hiddenField(current.text, 'csrf') ?? '';
    const form: Record<string, string> = action[2] === 'login' ? { email: user.email, password: user.password, csrf } : { csrf };
    current = await browser.followWithin(kl.url, await browser.postForm(new URL(action[1]!, kl.url).href, form));
  }
  return { pages, last: current };
}

/** The whole browser side: type the code, confirm, sign in, consent. Returns the last page. */
export async function approveDevice(kl: RunningKeyline, userCode: string, user: TestUser, browser = new BrowserLikeClient()): Promise<Response> {
  const confirmPage = await enterUserCode(kl, browser, userCode);
  if (confirmPage.status !== 200) throw new Error(`entering the user code answered ${confirmPage.status}: ${confirmPage.text.slice(0, 300)}`);
  return (await signInForDevice(kl, browser, await confirmUserCode(kl, browser, confirmPage), user)).last;
}

/** The text a person reads in an HTML page: tags dropped, entities for quotes and apostrophes undone. */
export function visibleText(html: string): string {
  return html.replace(/<[^>]+>/g, ' ').replace(/&#39;|&apos;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/\s+/g, ' ');
}
