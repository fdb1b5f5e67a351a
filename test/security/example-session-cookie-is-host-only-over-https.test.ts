/**
 * Over https the example's session cookie was plain `example_session`: any sibling subdomain (or a
 * plain-http page of the same host) can set a cookie of that name with Domain=, so an attacker who
 * signed in on their own could plant their signed-in session in a victim's browser, and the victim
 * would then use the app as the attacker (login CSRF by cookie injection; renaming the session at
 * sign-in does not help, the victim never signs in). Served over https, the cookie is
 * `__Host-example_session`: the browser accepts it only from this very host, Secure, for Path=/.
 * (On http://localhost there is no such prefix to use; the demo says so.)
 */
import { startResourceServer } from '../../examples/resource-server.ts';
import { startWebApp } from '../../examples/web-app.ts';
import { EXAMPLE_API, freePort } from '../support/example-app.ts';
import { registerTestClient } from '../support/oidc-flow.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

let kl: RunningKeyline;
const closers: Array<() => void> = [];
beforeAll(async () => { kl = await startKeyline({ config: { resources: { [EXAMPLE_API]: { scopes: ['read'] } } } }); });
afterAll(async () => {
  for (const close of closers) close();
  await kl.stop();
});

test('served at an https address, the session cookie has the __Host- prefix and is Secure', async () => {
  const port = await freePort();
  const baseUrl = `https://app.example.test:${port}`;
  const client = await registerTestClient(kl, { name: 'Example over https', redirectUris: [`${baseUrl}/callback`], postLogoutRedirectUris: [`${baseUrl}/signed-out`] });
  const api = await startResourceServer(kl.url, EXAMPLE_API);
  closers.push(() => api.server.close());
  const app = await startWebApp({ issuer: kl.url, clientId: client.clientId, clientSecret: client.clientSecret!, port, baseUrl });
  closers.push(() => app.server.close());

  const login = await fetch(`http://127.0.0.1:${port}/login`, { redirect: 'manual' });
  expect(login.status).toBe(303);
  const cookie = login.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(/^__Host-example_session=[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Secure$/);

  // A planted cookie without the prefix names no session.
  const planted = await fetch(`http://127.0.0.1:${port}/login`, { redirect: 'manual', headers: { cookie: `example_session=${/=([\w-]+)/.exec(cookie)![1]}` } });
  expect(planted.headers.get('set-cookie')).toMatch(/^__Host-example_session=/);
});
