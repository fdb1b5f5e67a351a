/**
 * `npm run example` updates "its" client on every run: new redirect URIs, a new secret. It found it
 * by name alone, so any client called "Login with Keyline example" (an operator's own app, or one
 * registered dynamically by anyone, who keeps its registration access token) had its redirect URIs
 * moved to localhost and its secret rotated, and the demo then ran on it. It may adopt only a client
 * shaped as it registers one: the example API among its resources (which only an administrator can
 * set) and loopback redirect URIs.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startKeyline, TEST_SECRETS_KEY, type RunningKeyline } from '../support/start-keyline.ts';
import { registerTestClient } from '../support/oidc-flow.ts';
import { EXAMPLE_API as API, freePort } from '../support/example-app.ts';
import { EXAMPLE_CLIENT_NAME } from '../../src/pages/example-app-address.ts';

const RUN_EXAMPLE = fileURLToPath(new URL('../../examples/run-example.ts', import.meta.url));
let kl: RunningKeyline;

beforeAll(async () => { kl = await startKeyline({ config: { resources: { [API]: { scopes: ['read'] } } } }); });
afterAll(async () => { await kl.stop(); });

/** Runs `npm run example` until it serves (or gives up), then stops it; its output. */
async function runExampleOnce(port: number): Promise<string> {
  const child = spawn(process.execPath, [RUN_EXAMPLE, '--port', String(port)], {
    env: { ...process.env, KEYLINE_ISSUER: kl.url, KEYLINE_STORE: kl.config.store, KEYLINE_SECRETS_KEY: TEST_SECRETS_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => { output += String(chunk); });
  child.stderr.on('data', (chunk) => { output += String(chunk); });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve) => {
    child.stdout.on('data', () => { if (output.includes('example: open')) resolve(); });
    void exited.then(resolve);
  });
  child.kill('SIGTERM');
  await exited;
  return output;
}

test('a client of the same name that the example did not register keeps its redirect URIs and secret', async () => {
  const theirs = await registerTestClient(kl, {
    name: EXAMPLE_CLIENT_NAME, redirectUris: ['https://my-app.example/callback'], postLogoutRedirectUris: ['https://my-app.example/bye'],
  });
  const before = (await kl.store.clients.find(theirs.clientId))!.metadata;

  const output = await runExampleOnce(await freePort());
  expect(output).toContain('example: open');
  expect(output).not.toContain(theirs.clientId);

  const after = (await kl.store.clients.find(theirs.clientId))!.metadata;
  expect(after.redirect_uris).toEqual(['https://my-app.example/callback']);
  expect(after.post_logout_redirect_uris).toEqual(['https://my-app.example/bye']);
  expect(after.client_secret).toBe(before.client_secret);

  // The example registered its own, and a second run adopts that one rather than adding another.
  const port = await freePort();
  await runExampleOnce(port);
  const examples = (await kl.store.clients.list())
    .filter((client) => client.metadata.client_name === EXAMPLE_CLIENT_NAME && client.clientId !== theirs.clientId);
  expect(examples).toHaveLength(1);
  expect(examples[0]!.metadata.redirect_uris).toEqual([`http://localhost:${port}/callback`]);
}, 120_000);
