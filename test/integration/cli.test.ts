import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { startKeyline, TEST_SECRETS_KEY, type RunningKeyline } from '../support/start-keyline.ts';
import { exchangeCode, signIn, type TestClient } from '../support/oidc-flow.ts';
import { runCli as keyline } from '../support/run-cli.ts';

let kl: RunningKeyline;
beforeAll(async () => { kl = await startKeyline(); });
afterAll(() => kl.stop());

test('a user and a client added with the CLI while the server runs can sign in at once', async () => {
  const added = await keyline(kl, ['users', 'add', 'Carol@Example.test', '--name', 'Carol C'], 'a long enough password\n');
  expect(added.stderr).toBe('');
  expect(added.code).toBe(0);
  expect(JSON.parse(added.stdout)).toMatchObject({ email: 'carol@example.test', name: 'Carol C' });

  const created = await keyline(kl, ['clients', 'add', '--name', 'CLI App', '--redirect-uri', 'http://127.0.0.1:9/callback']);
  expect(created.code).toBe(0);
  const registered = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
  expect(registered.client_secret).toMatch(/^[\w-]{43}$/);
  const stored = await kl.store.clients.find(registered.client_id);
  expect(JSON.stringify(stored)).not.toContain(registered.client_secret);

  const client: TestClient = { clientId: registered.client_id, clientSecret: registered.client_secret, redirectUri: 'http://127.0.0.1:9/callback' };
  const signedIn = await signIn(kl, client, { id: '', email: 'carol@example.test', password: 'a long enough password' });
  const tokens = await exchangeCode(kl, client, signedIn);
  expect(tokens.status).toBe(200);
  expect(tokens.body.id_token).toBeTruthy();
});

test('users list prints JSON with --json and never a password hash', async () => {
  await keyline(kl, ['users', 'add', 'dave@example.test'], 'another long password');
  const listed = await keyline(kl, ['users', 'list', '--json']);
  expect(listed.code).toBe(0);
  const users = JSON.parse(listed.stdout) as Array<Record<string, unknown>>;
  expect(users.map((user) => user.email)).toContain('dave@example.test');
  expect(listed.stdout).not.toContain('argon2');
});

test('clients list, rotate-secret and remove work on the running server\'s store', async () => {
  const created = JSON.parse((await keyline(kl, ['clients', 'add', '--name', 'M2M', '--grant-types', 'client_credentials'])).stdout) as { client_id: string; client_secret: string };
  const listed = JSON.parse((await keyline(kl, ['clients', 'list', '--json'])).stdout) as Array<{ client_id: string }>;
  expect(listed.map((client) => client.client_id)).toContain(created.client_id);
  expect(JSON.stringify(listed)).not.toMatch(/"client_secret"/);

  const rotated = JSON.parse((await keyline(kl, ['clients', 'rotate-secret', created.client_id])).stdout) as { client_secret: string };
  const token = (secret: string) => fetch(`${kl.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${created.client_id}:${secret}`).toString('base64')}` },
    body: 'grant_type=client_credentials',
  });
  expect((await token(created.client_secret)).status).toBe(401);
  expect((await token(rotated.client_secret)).status).toBe(200);

  expect((await keyline(kl, ['clients', 'remove', created.client_id, '--yes'])).code).toBe(0);
  expect((await token(rotated.client_secret)).status).toBe(401);
});

test.each([
  [['users', 'add', 'erin@example.test'], 'short', /password must be at least 8 characters/],
  [['users', 'add', 'not-an-email'], 'long enough password', /is not an email address/],
  [['users', 'add', 'carol@example.test'], 'long enough password', /already exists/],
  [['users', 'add'], '', /missing <email>/],
  [['clients', 'add', '--redirect-uri', 'http://127.0.0.1:9/cb'], '', /--name is required/],
  [['clients', 'add', '--name', 'X', '--redirect-uri', 'not a url'], '', /invalid client: redirect URIs: "not a url" is not an absolute URL/],
  [['clients', 'add', '--name', 'X', '--frobnicate'], '', /Unknown option '--frobnicate'/],
  [['clients', 'remove', 'nope'], '', /no client with id nope/],
  [['users', 'set-password', 'nobody@example.test'], 'long enough password', /no user with email/],
  [['teleport'], '', /unknown command "teleport"/],
])('refuses bad input with one precise line: keyline %j', async (args, stdin, message) => {
  const result = await keyline(kl, args, stdin);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at /);
});

test('every command has --help', async () => {
  for (const noun of ['users', 'clients', 'resources', 'sessions', 'keys', 'registration', 'audit', 'migrate', 'doctor']) {
    const result = await keyline(kl, [noun, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`keyline ${noun}`);
  }
});

test('--version prints the package version', async () => {
  const result = await keyline(kl, ['--version']);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^keyline \d+\.\d+\.\d+\n$/);
});

test('destructive verbs refuse without --yes when there is no terminal to ask, and change nothing', async () => {
  const created = JSON.parse((await keyline(kl, ['clients', 'add', '--name', 'Keep me', '--grant-types', 'client_credentials'])).stdout) as { client_id: string };
  const refused = await keyline(kl, ['clients', 'remove', created.client_id]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/^keyline: removing client \S+ .*pass --yes to confirm \(there is no terminal to ask on\)\n$/);
  expect(await kl.store.clients.find(created.client_id)).toBeDefined();

  await keyline(kl, ['users', 'add', 'stays@example.test'], 'a long enough password');
  const notRevoked = await keyline(kl, ['sessions', 'revoke', 'stays@example.test']);
  expect(notRevoked.code).toBe(2);
  expect(notRevoked.stderr).toMatch(/pass --yes to confirm/);
  expect((await kl.store.audit.query({ type: 'sessions.revoked', email: 'stays@example.test', limit: 5 }))).toEqual([]);
});

/** Runs the CLI on a pseudo-terminal (util-linux `script`), typing `answer` at it. */
function onTerminal(args: string[], answer: string): Promise<{ code: number; output: string }> {
  const command = [process.execPath, fileURLToPath(new URL('../../bin/keyline.js', import.meta.url)), ...args].map((part) => `'${part}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env.PATH, KEYLINE_STORE: kl.config.store, KEYLINE_CONFIG: '/dev/null', KEYLINE_SECRETS_KEY: TEST_SECRETS_KEY },
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (/Continue\? \[y\/N\] $/.test(output)) child.stdin.write(`${answer}\n`);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

test('on a terminal, destructive verbs ask, and only "y" goes ahead', async () => {
  const created = JSON.parse((await keyline(kl, ['clients', 'add', '--name', 'Ask me', '--grant-types', 'client_credentials'])).stdout) as { client_id: string };
  const declined = await onTerminal(['clients', 'remove', created.client_id], 'n');
  expect(declined.output).toMatch(/This cannot be undone\. Continue\? \[y\/N\]/);
  expect(declined.output).toMatch(/cancelled; nothing was changed/);
  expect(declined.code).toBe(1);
  expect(await kl.store.clients.find(created.client_id)).toBeDefined();

  const confirmed = await onTerminal(['clients', 'remove', created.client_id], 'y');
  expect(confirmed.code).toBe(0);
  expect(confirmed.output).toMatch(/removed client/);
  expect(await kl.store.clients.find(created.client_id)).toBeUndefined();
});

test('doctor on a store that is not there says so, names the path, and does not create it', async () => {
  const missing = join(tmpdir(), `keyline-missing-${process.pid}`, 'keyline.sqlite');
  const result = await keyline({ store: missing }, ['doctor']);
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(new RegExp(`^FAIL  store: no SQLite store at ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
  expect(existsSync(missing)).toBe(false);
  expect(existsSync(dirname(missing))).toBe(false);
});

test('doctor prints where the store is', async () => {
  const result = await keyline(kl, ['doctor']);
  expect(result.stdout).toContain(`ok    store location: SQLite at ${kl.config.store}`);
});

test('a relative store path means a place inside the project, whatever the working directory', async () => {
  const result = await keyline({ store: 'data/relative-check-does-not-exist.sqlite' }, ['doctor']);
  expect(result.stdout).toContain(`no SQLite store at ${join(PROJECT_ROOT, 'data', 'relative-check-does-not-exist.sqlite')}`);
});
