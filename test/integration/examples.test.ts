import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import { createTestUser, registerTestClient } from '../support/oidc-flow.ts';
import { startResourceServer } from '../../examples/resource-server.ts';
import { clientCredentialsToken } from '../../examples/machine-client.ts';
import { startWebApp } from '../../examples/web-app.ts';

const API = 'https://api.example.test';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
let kl: RunningKeyline;
const servers: Server[] = [];

beforeAll(async () => { kl = await startKeyline({ config: { resources: { [API]: { scopes: ['read'] } } } }); });
afterAll(async () => {
  for (const server of servers) server.close();
  await kl.stop();
});

test('the machine client gets a token that the example resource server accepts for reading but not for writing without the scope, and a forged one is refused', async () => {
  const machine = await registerTestClient(kl, { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], scopes: 'read', resources: [API] });
  const api = await startResourceServer(kl.url, API);
  servers.push(api.server);
  const token = await clientCredentialsToken(kl.url, machine.clientId, machine.clientSecret!, 'read');
  const accepted = await fetch(api.url, { headers: { authorization: `Bearer ${token}` } });
  expect(accepted.status).toBe(200);
  expect(await accepted.json()).toEqual({ hello: machine.clientId, scope: 'read' });
  const writing = await fetch(api.url, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  expect(writing.status).toBe(403);
  expect(writing.headers.get('www-authenticate')).toMatch(/^Bearer resource_metadata="[^"]+", error="insufficient_scope", error_description="[^"]+", scope="write"$/);
  expect(await writing.json()).toEqual({ error: 'insufficient_scope', error_description: 'the access token lacks the scope write', scope: 'write' });
  const [header, payload] = token.split('.');
  const forged = await fetch(api.url, { headers: { authorization: `Bearer ${header}.${payload}.AAAA` } });
  expect(forged.status).toBe(401);
});

test('the example web app logs a user in with Keyline', async () => {
  const port = await freePort();
  const client = await registerTestClient(kl, { redirectUris: [`http://127.0.0.1:${port}/callback`] });
  const running = await startWebApp({ issuer: kl.url, clientId: client.clientId, clientSecret: client.clientSecret!, port });
  servers.push(running.server);
  const user = await createTestUser(kl);

  const browser = new BrowserLikeClient();
  let response = await browser.get(`${running.url}/login`);
  response = await browser.followWithin(kl.url, await browser.get(response.location!));
  response = await browser.followWithin(kl.url, await browser.postForm(`${kl.url}${/action="([^"]+\/login)"/.exec(response.text)![1]}`, {
    email: user.email, password: user.password, csrf: hiddenField(response.text, 'csrf')!,
  }));
  response = await browser.followWithin(kl.url, await browser.postForm(`${kl.url}${/action="([^"]+\/confirm)"/.exec(response.text)![1]}`, {
    csrf: hiddenField(response.text, 'csrf')!,
  }));
  const landed = await browser.get(response.location!);
  expect(landed.status).toBe(200);
  expect(landed.text).toBe(`Hello, ${user.email}`);
});
