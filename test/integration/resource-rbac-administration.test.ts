/**
 * RBAC on an API, switched on and off from the CLI (`resources add|update --rbac | --no-rbac`)
 * and the admin API (`rbac`), and served by the running server at once. An API that roles belong
 * to cannot be removed, nor a scope that is still a role's permission: the refusal names the roles.
 */
import { decodeJwt } from 'jose';
import { allBackends } from '../support/backends.ts';
import { AdminSession } from '../support/admin-api.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { registerTestClient, tokenRequest } from '../support/oidc-flow.ts';
import { addRole, grant } from '../support/rbac-setup.ts';
import { runCli } from '../support/run-cli.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

describe.each(backends)('RBAC on API resources, administered on $name', (backend) => {
  let kl: RunningKeyline;
  let admin: AdminSession;

  useKeyline(backend, {}, async (ready) => {
    kl = ready.kl;
    admin = await AdminSession.open(kl);
  });

  async function cli(args: string[]): Promise<Record<string, unknown>> {
    const result = await runCli(kl, args);
    if (result.code !== 0) throw new Error(`keyline ${args.join(' ')}: ${result.stderr}`);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  }

  async function machineToken(indicator: string, scope: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const machine = await registerTestClient(kl, {
      grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], resources: [indicator], scopes: scope,
    });
    return tokenRequest(kl, machine, { grant_type: 'client_credentials', scope });
  }

  test('CLI: --rbac on add, --no-rbac on update, listed; the running server follows at once', async () => {
    const indicator = 'https://cli-rbac.example.test';
    expect(await cli(['resources', 'add', indicator, '--scopes', 'items:read', '--rbac'])).toMatchObject({ indicator, rbac: true });
    expect((await runCli(kl, ['resources', 'list'])).stdout).toMatch(new RegExp(`${indicator}\\t.*\\trbac`));
    // No role gives a machine items:read: refused while RBAC is on, given once it is off.
    expect((await machineToken(indicator, 'items:read')).body).toMatchObject({ error: 'invalid_scope' });
    expect(await cli(['resources', 'update', indicator, '--no-rbac'])).not.toHaveProperty('rbac');
    const plain = await machineToken(indicator, 'items:read');
    expect(decodeJwt(String(plain.body.access_token))).toMatchObject({ scope: 'items:read' });
    expect(decodeJwt(String(plain.body.access_token))).not.toHaveProperty('roles');

    const contradiction = await runCli(kl, ['resources', 'update', indicator, '--rbac', '--no-rbac']);
    expect(contradiction.code).not.toBe(0);
    expect(contradiction.stderr).toContain('--rbac and --no-rbac contradict each other');
  });

  test('admin API: rbac on create and update, shown on read; the admin API itself is RBAC for people', async () => {
    const indicator = 'https://api-rbac.example.test';
    const path = `/resources/${encodeURIComponent(indicator)}`;
    expect(await admin.expect(201, 'POST', '/resources', { indicator, scopes: ['items:read'], rbac: true })).toMatchObject({ rbac: true });
    expect(await admin.expect(200, 'GET', path)).toMatchObject({ rbac: true });
    expect(await admin.expect(200, 'PATCH', path, { rbac: false })).toMatchObject({ rbac: false });
    expect(await admin.expect(422, 'PATCH', path, { rbac: 'yes' })).toMatchObject({ detail: expect.stringContaining('rbac') });
    const builtIn = await admin.expect(200, 'GET', `/resources/${encodeURIComponent(`${kl.url}/admin/v1`)}`);
    expect(builtIn).toMatchObject({ rbac: 'people', source: 'builtin' });
  });

  test('an API with roles cannot be removed, nor a scope a role uses; the refusal names the roles, CLI and admin API alike', async () => {
    const indicator = 'https://roles-inside.example.test';
    const path = `/resources/${encodeURIComponent(indicator)}`;
    await cli(['resources', 'add', indicator, '--scopes', 'a b c', '--rbac']);
    await addRole(kl, 'uses-a', indicator, ['a']);
    await addRole(kl, 'uses-a-and-b', indicator, ['a', 'b']);

    const removal = await runCli(kl, ['resources', 'remove', indicator]);
    expect(removal.code).toBe(1);
    expect(removal.stderr).toContain(`${indicator} still has role(s) uses-a, uses-a-and-b; remove those roles first`);
    expect(await admin.expect(409, 'DELETE', path)).toMatchObject({ detail: expect.stringContaining('uses-a, uses-a-and-b') });

    const narrowing = await runCli(kl, ['resources', 'update', indicator, '--scopes', 'a c']);
    expect(narrowing.code).toBe(1);
    expect(narrowing.stderr).toContain('scopes: b (role uses-a-and-b) still a permission; take them from the roles first');
    expect(await admin.expect(409, 'PATCH', path, { scopes: ['c'] })).toMatchObject({
      detail: 'scopes: a (role uses-a), a (role uses-a-and-b), b (role uses-a-and-b) still a permission; take them from the roles first',
    });
    // A scope no role uses still goes.
    expect(await admin.expect(200, 'PATCH', path, { scopes: ['a', 'b'] })).toMatchObject({ scopes: ['a', 'b'] });
    expect((await kl.store.resources.find(indicator))?.scopes).toEqual(['a', 'b']);
  });

  test('a role granted to a machine on an API made RBAC by the admin API reaches its token', async () => {
    const indicator = 'https://granted.example.test';
    await admin.expect(201, 'POST', '/resources', { indicator, scopes: ['x:read', 'x:write'], rbac: true });
    await addRole(kl, 'x-reader', indicator, ['x:read']);
    const machine = await registerTestClient(kl, {
      grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], resources: [indicator], scopes: 'x:read x:write',
    });
    await grant(kl, 'x-reader', { client: machine.clientId });
    const token = await tokenRequest(kl, machine, { grant_type: 'client_credentials', scope: 'x:read x:write' });
    expect(decodeJwt(String(token.body.access_token))).toMatchObject({ scope: 'x:read', roles: ['x-reader'], permissions: ['x:read'] });
  });
});
