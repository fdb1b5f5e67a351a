import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startKeyline, TEST_SECRETS_KEY, type RunningKeyline } from '../support/start-keyline.ts';
import { BrowserLikeClient, hiddenField } from '../support/browser-like-client.ts';
import { continueSignIn, createTestUser, registerTestClient } from '../support/oidc-flow.ts';
import {
  EXAMPLE_API as API, followAcross, freePort, rowValue, signInAtKeyline, signInToExample, signOutToken, startExample, type RunningExample,
} from '../support/example-app.ts';
import { startResourceServer } from '../../examples/resource-server.ts';
import { clientCredentialsToken } from '../../examples/machine-client.ts';

let kl: RunningKeyline;
const servers: Server[] = [];
const examples: RunningExample[] = [];

async function example(options: Parameters<typeof startExample>[1] = {}): Promise<RunningExample> {
  const running = await startExample(kl, options);
  examples.push(running);
  return running;
}

beforeAll(async () => { kl = await startKeyline({ config: { resources: { [API]: { scopes: ['read'] } } } }); });
afterAll(async () => {
  for (const server of servers) server.close();
  for (const example of examples) example.close();
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

test('the example web app signs a person in, shows the ID token, UserInfo and the API answer, survives a reload, and signs out through Keyline', async () => {
  const demo = await example();
  const user = await createTestUser(kl);
  const { browser, page, seen } = await signInToExample(kl, demo, user);

  // Post/redirect/get: the last address the browser was sent to carries no code or state.
  expect(seen.at(-1)).toBe(`${demo.url}/`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(page.headers.get('cache-control')).toBe('no-store');
  expect(page.text).toContain('href="/keyline.css"');
  expect(await (await fetch(`${demo.url}/keyline.css`)).text()).toBe(await (await fetch(`${kl.url}/assets/keyline.css`)).text());
  expect(page.text).toContain(`Signed in as User `);
  expect(rowValue(page.text, 'id-token', 'iss')).toBe(kl.url);
  expect(rowValue(page.text, 'id-token', 'aud')).toBe(demo.client.clientId);
  expect(rowValue(page.text, 'id-token', 'sub')).toBe(user.id);
  expect(rowValue(page.text, 'userinfo', 'email')).toBe(user.email);
  expect(rowValue(page.text, 'userinfo', 'sub')).toBe(user.id);
  expect(rowValue(page.text, 'api', 'hello')).toBe(user.id);
  expect(rowValue(page.text, 'api', 'scope')).toBe('read');
  expect(page.text).toMatch(/id="api-status">200</);

  const reloaded = await browser.get(`${demo.url}/`);
  expect(reloaded.status).toBe(200);
  expect(rowValue(reloaded.text, 'userinfo', 'email')).toBe(user.email);
  // The callback address again (back button, a bookmark): refused as used, and the person stays signed in.
  const again = await browser.get(seen[0]!);
  expect(again.status).toBe(400);
  expect(again.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(again.text).toContain('href="/login"');
  expect((await browser.get(`${demo.url}/`)).text).toContain(user.email);

  const signOut = await browser.postForm(`${demo.url}/logout`, { csrf: signOutToken(reloaded) });
  expect(signOut.status).toBe(303);
  const endSession = new URL(signOut.location!);
  expect(`${endSession.origin}${endSession.pathname}`).toBe(`${kl.url}/session/end`);
  expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${demo.url}/signed-out`);
  expect(endSession.searchParams.get('id_token_hint')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  const confirm = await browser.followWithin(kl.url, await browser.get(signOut.location!));
  expect(confirm.status).toBe(200);
  const done = await browser.postForm(`${kl.url}/session/end/confirm`, { xsrf: hiddenField(confirm.text, 'xsrf')!, logout: 'yes' });
  const back = await browser.followWithin(kl.url, done);
  expect(back.location?.startsWith(`${demo.url}/signed-out`)).toBe(true);
  const signedOut = await browser.get(back.location!);
  expect(signedOut.status).toBe(200);
  expect(signedOut.text).toContain('You are signed out');

  // Signed out at both: the example shows its sign-in button, and Keyline asks for the password again.
  const home = await browser.get(`${demo.url}/`);
  expect(home.text).toContain('id="sign-in"');
  expect(home.text).not.toContain(user.email);
  const next = await browser.followWithin(kl.url, await browser.get((await browser.get(`${demo.url}/login`)).location!));
  expect(next.text).toMatch(/action="[^"]+\/login"/);
});

test("a Deny at Keyline shows the example's friendly page with a way to try again, and a reload shows it again", async () => {
  const demo = await example();
  const user = await createTestUser(kl);
  const browser = new BrowserLikeClient();
  let page = await browser.followWithin(kl.url, await browser.get((await browser.get(`${demo.url}/login`)).location!));
  page = await browser.followWithin(kl.url, await browser.postForm(new URL(/action="([^"]+\/login)"/.exec(page.text)![1]!, kl.url).href, {
    email: user.email, password: user.password, csrf: hiddenField(page.text, 'csrf')!,
  }));
  const deny = /action="([^"]+\/abort)"/.exec(page.text);
  expect(deny).not.toBeNull();
  const answer = await browser.followWithin(kl.url, await browser.postForm(new URL(deny![1]!, kl.url).href, { csrf: hiddenField(page.text, 'csrf')! }));
  expect(new URL(answer.location!).searchParams.get('error')).toBe('access_denied');
  const redirected = await browser.get(answer.location!);
  expect(redirected.status).toBe(303);
  expect(redirected.location).toBe(`${demo.url}/sign-in-problem`);
  for (let view = 0; view < 2; view += 1) {
    const friendly = await browser.get(redirected.location!);
    expect(friendly.status).toBe(200);
    expect(friendly.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(friendly.text).toContain('You chose not to sign in');
    expect(friendly.text).toMatch(/<a class="kl-button kl-primary" id="try-again" href="\/login">Try again<\/a>/);
  }
});

test('other refusals from Keyline show the friendly page naming the error, in the language the browser asks for', async () => {
  const demo = await example();
  const user = await createTestUser(kl);
  const { browser, callback } = await signInAtKeyline(kl, demo, user);
  const url = new URL(callback);
  url.searchParams.delete('code');
  url.searchParams.set('error', 'temporarily_unavailable');
  url.searchParams.set('error_description', '<b>busy</b>');
  const redirected = await browser.get(url.href);
  expect(redirected.location).toBe(`${demo.url}/sign-in-problem`);
  const friendly = await browser.get(redirected.location!, { 'accept-language': 'en;q=0.5, de-CH, fr;q=0.8' });
  expect(friendly.status).toBe(400);
  expect(friendly.text).toContain('<html lang="de"');
  expect(friendly.text).toContain('Die Anmeldung hat nicht geklappt');
  expect(friendly.text).toContain('<code id="problem-code">temporarily_unavailable</code>');
  expect(friendly.text).toContain('&lt;b&gt;busy&lt;/b&gt;');
  expect(friendly.text).toContain('href="/login"');
});

test("a name with markup is shown as text on the example's page", async () => {
  const demo = await example();
  const email = `markup-${Date.now()}@example.test`;
  const account = await kl.keyline.accounts.create(email, 'correct horse battery staple', '<script>alert(1)</script><img src=x onerror=alert(2)>');
  const { page } = await signInToExample(kl, demo, { id: account.id, email, password: 'correct horse battery staple' });
  expect(page.status).toBe(200);
  expect(page.text).not.toContain('<script>alert');
  expect(page.text).not.toContain('<img src=x');
  expect(page.text).toContain('Signed in as &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
  expect(rowValue(page.text, 'userinfo', 'name')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
  expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  expect(page.headers.get('content-security-policy')).not.toMatch(/script-src/);
});

test('without the example API the example signs in with one request and shows UserInfo', async () => {
  const demo = await example({ withApi: false });
  const user = await createTestUser(kl);
  const { page, seen } = await signInToExample(kl, demo, user);
  expect(seen.filter((address) => address.startsWith(`${demo.url}/callback`))).toHaveLength(1);
  expect(rowValue(page.text, 'userinfo', 'email')).toBe(user.email);
  expect(page.text).not.toContain('id="api"');
});

describe('npm run example', () => {
  const RUN_EXAMPLE = fileURLToPath(new URL('../../examples/run-example.ts', import.meta.url));

  function runExample(args: string[], env: Record<string, string> = {}) {
    const child = spawn(process.execPath, [RUN_EXAMPLE, ...args], {
      env: { ...process.env, KEYLINE_ISSUER: kl.url, KEYLINE_STORE: kl.config.store, KEYLINE_SECRETS_KEY: TEST_SECRETS_KEY, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => { output += String(chunk); });
    child.stderr.on('data', (chunk) => { output += String(chunk); });
    const ready = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => { if (output.includes('example: open')) resolve(output); });
      child.on('exit', (code) => reject(new Error(`run-example exited with ${code}: ${output}`)));
    });
    ready.catch(() => undefined); // awaited only by the tests that expect it to start
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { child, ready, exited, output: () => output };
  }

  test('--port N serves the example there, registers its redirect URIs on that port, and the start page links to it and to /account', async () => {
    const port = await freePort();
    const run = runExample(['--port', String(port)]);
    try {
      expect(await run.ready).toContain(`open http://localhost:${port}`);
      const home = await fetch(`http://127.0.0.1:${port}/`);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('Login with Keyline');
      const registered = (await kl.store.clients.list()).find((client) => client.metadata.client_name === 'Login with Keyline example')!;
      expect(registered.metadata.redirect_uris).toEqual([`http://localhost:${port}/callback`]);
      expect(registered.metadata.post_logout_redirect_uris).toEqual([`http://localhost:${port}/signed-out`]);
      const start = await (await fetch(`${kl.url}/`)).text();
      expect(start).toContain(`href="http://localhost:${port}/"`);
      expect(start).toContain('href="/account"');
      expect(start).not.toContain('8080/');
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
    // Stopped: the start page no longer links to it.
    const start = await (await fetch(`${kl.url}/`)).text();
    expect(start).not.toContain(`http://localhost:${port}`);
    expect(start).toContain('npm run example');
  }, 120_000);

  test('EXAMPLE_PORT still works, and a second run on another port moves the same client there', async () => {
    const port = await freePort();
    const run = runExample([], { EXAMPLE_PORT: String(port) });
    try {
      expect(await run.ready).toContain(`open http://localhost:${port}`);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
    const named = (await kl.store.clients.list()).filter((client) => client.metadata.client_name === 'Login with Keyline example');
    expect(named).toHaveLength(1);
    expect(named[0]!.metadata.redirect_uris).toEqual([`http://localhost:${port}/callback`]);
  }, 120_000);

  test('--help says how to pick the port, and a bad port is refused with the usage', async () => {
    const help = runExample(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.output()).toContain('npm run example [-- --port N]');
    expect(help.output()).toContain('EXAMPLE_PORT');
    const bad = runExample(['--port', 'eighty']);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('--port must be a port number from 1 to 65535, not "eighty"');
  }, 60_000);
});

test('signing in again as someone else in the same browser shows the new person', async () => {
  for (const withApi of [false, true]) {
    const demo = await example({ withApi });
    const [first, second] = [await createTestUser(kl), await createTestUser(kl)];
    const { browser, page } = await signInToExample(kl, demo, first);
    expect(rowValue(page.text, 'userinfo', 'email')).toBe(first.email);
    // The example's session kept, Keyline's left behind: the second person signs in at Keyline from scratch.
    const fresh = new BrowserLikeClient();
    for (const cookie of await browser.jar.getCookies(demo.url)) {
      if (cookie.key === 'example_session') await fresh.jar.setCookie(cookie.toString(), demo.url);
    }
    const again = await signInToExample(kl, demo, second, fresh);
    expect(again.page.status).toBe(200);
    expect(rowValue(again.page.text, 'userinfo', 'email')).toBe(second.email);
  }
});
