/**
 * The kit as an API's developer gets it: `npm pack`, installed from the tarball into an app of its
 * own outside this repository (so `jose` must come with it, not from Keyline's node_modules), then
 * imported and used on the oldest Node it supports (20) and on Keyline's (24) to verify a real
 * Keyline access token. Its types are checked the same way, from the installed package.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { basicAuth, registerTestClient, type TestClient } from '../../../test/support/oidc-flow.ts';
import { startKeyline, type RunningKeyline } from '../../../test/support/start-keyline.ts';

const PACKAGE_DIRECTORY = fileURLToPath(new URL('..', import.meta.url));
const TSC = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url));
/** Node 20, the oldest the kit supports: the OS's node by default; KEYLINE_TEST_NODE20 where it lives elsewhere (.ci/run sets it when needed). */
const NODE20 = process.env['KEYLINE_TEST_NODE20'] ?? '/usr/bin/node';
const API = 'https://api.example.test/v1';

const CHECK = `
import { createResourceServer, requirePermissions } from '@keyline/resource-server';
const api = await createResourceServer({ issuer: process.env.ISSUER, resource: process.env.RESOURCE });
const verdict = await api.authenticate({ method: 'GET', url: process.env.RESOURCE, headers: { authorization: 'Bearer ' + process.env.TOKEN } }, ['read']);
const permission = api.authorize(verdict, requirePermissions('read'));
console.log(JSON.stringify({ node: process.version, ok: verdict.ok, clientId: verdict.ok ? verdict.claims.client_id : verdict.error, permission: permission.ok || permission.status }));
`;

const TYPED = `
import { createResourceServer, requirePermissions, requireScopes, type Requirement, type ResourceServer, type Verdict } from '@keyline/resource-server';
const api: ResourceServer = await createResourceServer({ issuer: 'https://id.example.test', resource: 'https://api.example.test' });
const needed: Requirement[] = [requireScopes('orders:read'), requirePermissions('orders:write')];
const verdict: Verdict = api.authorize(await api.authenticate({ method: 'GET', url: 'https://api.example.test', headers: {} }), ...needed);
export const status: number | undefined = verdict.ok ? undefined : verdict.status;
`;

let kl: RunningKeyline;
let machine: TestClient;
let directory: string;
let app: string;

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });
}

beforeAll(async () => {
  if (!existsSync(NODE20)) throw new Error(`no Node 20 at ${NODE20}: set KEYLINE_TEST_NODE20 to one (.ci/run installs node@20 from the npm registry)`);
  directory = mkdtempSync(join(tmpdir(), 'keyline-kit-'));
  npm(['pack', '--pack-destination', directory], PACKAGE_DIRECTORY);
  const tarball = readdirSync(directory).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack made no tarball in ${directory}`);
  app = join(directory, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'an-api', version: '1.0.0', private: true, type: 'module' }));
  // From the npm cache when it has jose (as after `npm ci`); the registry otherwise.
  npm(['install', '--prefer-offline', join(directory, tarball)], app);
  writeFileSync(join(app, 'check.mjs'), CHECK);
  writeFileSync(join(app, 'typed.ts'), TYPED);

  kl = await startKeyline({ config: { resources: { [API]: { scopes: ['read'] } } } });
  machine = await registerTestClient(kl, { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], scopes: 'read', resources: [API] });
}, 120_000);
afterAll(async () => {
  await kl?.stop();
  rmSync(directory, { recursive: true, force: true });
});

async function accessToken(): Promise<string> {
  const response = await fetch(`${kl.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(machine) },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read', resource: API }).toString(),
  });
  return (await response.json() as { access_token: string }).access_token;
}

/** Not execFileSync: the Keyline it asks for keys runs in this very process. */
async function runCheck(node: string, token: string): Promise<{ node: string; ok: boolean; clientId: string; permission: true | number }> {
  const { stdout: output } = await promisify(execFile)(node, ['check.mjs'], {
    cwd: app, encoding: 'utf8', env: { PATH: process.env['PATH'], ISSUER: kl.url, RESOURCE: API, TOKEN: token },
  });
  return JSON.parse(output) as { node: string; ok: boolean; clientId: string; permission: true | number };
}

test.each([
  ['20', NODE20],
  ['24', process.execPath],
])('installed from its tarball, it verifies a real Keyline token on Node %s, and refuses a tampered one', async (major, node) => {
  const token = await accessToken();
  // A client-credentials token for a resource without RBAC carries no permissions: requirePermissions refuses it.
  expect(await runCheck(node, token)).toEqual({ node: expect.stringMatching(new RegExp(`^v${major}\\.`)), ok: true, clientId: machine.clientId, permission: 403 });
  const [header, payload] = token.split('.');
  expect(await runCheck(node, `${header}.${payload}.AAAA`)).toMatchObject({ ok: false, clientId: 'invalid_token' });
});

test('its type declarations come with it', () => {
  execFileSync(process.execPath, [TSC, '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', 'typed.ts'], {
    cwd: app, encoding: 'utf8',
  });
});
