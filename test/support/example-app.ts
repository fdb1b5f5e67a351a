import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startResourceServer } from '../../examples/resource-server.ts';
import { startWebApp } from '../../examples/web-app.ts';
import { BrowserLikeClient, hiddenField, type Response } from './browser-like-client.ts';
import { continueSignIn, registerTestClient, type TestClient, type TestUser } from './oidc-flow.ts';
import { startKeyline, type RunningKeyline } from './start-keyline.ts';

/** The example API's resource indicator; the Keyline under test must list it in `resources`. */
export const EXAMPLE_API = 'https://api.example.test';

export interface RunningExample {
  url: string;
  client: TestClient;
  servers: Server[];
  close(): void;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The example web app and API, registered with `kl` as run-example.ts registers them. */
export async function startExample(kl: RunningKeyline, options: { withApi?: boolean } = {}): Promise<RunningExample> {
  const withApi = options.withApi ?? true;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const client = await registerTestClient(kl, {
    // Not run-example.ts's name: the start page looks that one up.
    name: 'Example app under test',
    redirectUris: [`${url}/callback`], postLogoutRedirectUris: [`${url}/signed-out`],
    grantTypes: ['authorization_code'],
    ...(withApi ? { resources: [EXAMPLE_API], scopes: 'openid profile email read' } : { scopes: 'openid profile email' }),
  });
  const servers: Server[] = [];
  const api = withApi ? await startResourceServer(kl.url, EXAMPLE_API) : undefined;
  if (api) servers.push(api.server);
  const app = await startWebApp({
    issuer: kl.url, clientId: client.clientId, clientSecret: client.clientSecret!, port, baseUrl: url,
    api: api && { url: api.url, audience: EXAMPLE_API, scope: 'read' },
  });
  servers.push(app.server);
  return { url, client, servers, close: () => servers.forEach((server) => server.close()) };
}

/** From the example's "Login with Keyline" to Keyline's answer at the example's callback (not yet followed). */
export async function signInAtKeyline(kl: RunningKeyline, example: RunningExample, user: TestUser, browser = new BrowserLikeClient()): Promise<{ browser: BrowserLikeClient; callback: string }> {
  const start = await browser.get(`${example.url}/login`);
  const answer = await continueSignIn(kl, browser, start, user);
  if (!answer.location?.startsWith(`${example.url}/callback?`)) throw new Error(`expected the example's callback, got ${answer.status} ${answer.location ?? answer.text.slice(0, 200)}`);
  return { browser, callback: answer.location };
}

/** Follows redirects between the example and Keyline (the silent UserInfo leg) until a page. */
export async function followAcross(kl: RunningKeyline, example: RunningExample, browser: BrowserLikeClient, response: Response, seen: string[] = []): Promise<Response> {
  let current = response;
  for (let hops = 0; hops < 10 && current.location && (current.location.startsWith(kl.url) || current.location.startsWith(example.url)); hops += 1) {
    seen.push(current.location);
    current = await browser.get(current.location);
  }
  return current;
}

/** Signs in at the example all the way to its page; `seen` lists every address the browser went through. */
export async function signInToExample(
  kl: RunningKeyline, example: RunningExample, user: TestUser, given = new BrowserLikeClient(),
): Promise<{ browser: BrowserLikeClient; page: Response; seen: string[] }> {
  const { browser, callback } = await signInAtKeyline(kl, example, user, given);
  const seen = [callback];
  const page = await followAcross(kl, example, browser, await browser.get(callback), seen);
  return { browser, page, seen };
}

/** The sign-out form's CSRF token on the example's signed-in page. */
export function signOutToken(page: Response): string {
  const token = hiddenField(page.text, 'csrf');
  if (!token) throw new Error(`no sign-out form on: ${page.text.slice(0, 300)}`);
  return token;
}

/** The text of the table row whose header is `name` (claims, UserInfo, API answer), unescaped once. */
export function rowValue(html: string, section: string, name: string): string | undefined {
  const part = html.split(`id="${section}"`)[1]?.split('</section>')[0] ?? '';
  return new RegExp(`<th scope="row"><code>${name}</code></th><td><code>([^<]*)</code>`).exec(part)?.[1];
}

/** A Keyline that knows the example API, and the example registered with it, for one test file. */
export function keylineWithExample(): { kl(): RunningKeyline; example(): RunningExample } {
  let kl: RunningKeyline;
  let example: RunningExample;
  beforeAll(async () => {
    kl = await startKeyline({ config: { resources: { [EXAMPLE_API]: { scopes: ['read'] } } } });
    example = await startExample(kl);
  });
  afterAll(async () => {
    example?.close();
    await kl?.stop();
  });
  return { kl: () => kl, example: () => example };
}
