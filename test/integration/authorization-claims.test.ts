import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { stringify } from 'yaml';
import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { memberOfChildGroup } from '../support/groups-in-store.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, exchangeCode, registerTestClient, signIn, type TestClient, type TestUser } from '../support/oidc-flow.ts';
import { runCli } from '../support/run-cli.ts';
import { temporaryDirectory, type RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

/** The operator's declarations, as the config file has them (the CLI reads the same file). */
const DECLARATIONS = {
  attributes: [
    { name: 'department', type: 'string', label: 'Department' },
    { name: 'employee_id', type: 'number', required: true },
    { name: 'skills', type: 'string[]' },
    { name: 'start_date', type: 'date' },
  ],
  claims: {
    org: { department: 'attribute.department', employee_id: 'attribute.employee_id', teams: 'groups', app_roles: 'roles' },
  },
};

describe.each(backends)('groups and mapped claims on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  let member: TestUser;
  let admin: AdminSession;
  const configDirectory = temporaryDirectory();
  const configFile = join(configDirectory.path, 'keyline.yaml');
  afterAll(() => configDirectory.remove());

  useKeyline(backend, { config: DECLARATIONS }, async (ready) => {
    kl = ready.kl;
    writeFileSync(configFile, stringify(DECLARATIONS));
    client = await registerTestClient(kl, { scopes: 'openid profile email groups org offline_access' });
    member = await createTestUser(kl);
    admin = await AdminSession.open(kl);
    await memberOfChildGroup(kl, member.id);
  });

  async function claimsFor(user: TestUser, scope: string) {
    const tokens = (await exchangeCode(kl, client, await signIn(kl, client, user, { scope, params: { prompt: 'consent' } }))).body;
    const userinfo = await (await fetch(`${kl.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json() as Record<string, unknown>;
    return { idToken: decodeJwt(String(tokens.id_token)), userinfo };
  }

  test('the groups scope gives the group names in the id_token and at UserInfo, a child group\'s member getting its parent', async () => {
    const { idToken, userinfo } = await claimsFor(member, 'openid groups');
    expect(idToken.groups).toEqual(['engineering', 'platform']);
    expect(userinfo).toEqual({ sub: member.id, groups: ['engineering', 'platform'] });
  });

  test('without the groups scope there is no groups claim', async () => {
    const { idToken, userinfo } = await claimsFor(member, 'openid email');
    expect(idToken).not.toHaveProperty('groups');
    expect(userinfo).not.toHaveProperty('groups');
  });

  test('an ordinary sign-in reads no groups or roles; one that asks for groups does', async () => {
    const reads = async () => {
      const text = await kl.keyline.metrics.render();
      const count = (operation: string) => Number(new RegExp(`keyline_store_operation_duration_seconds_count\\{operation="${operation}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
      return count('groups.groupIdsOf') + count('groups.findMany') + count('roles.grantsTo');
    };
    const before = await reads();
    await claimsFor(member, 'openid email profile offline_access');
    expect(await reads()).toBe(before);
    await claimsFor(member, 'openid groups');
    expect(await reads()).toBeGreaterThan(before);
  });

  test('a person in no group gets an empty list', async () => {
    const loner = await createTestUser(kl);
    expect((await claimsFor(loner, 'openid groups')).userinfo.groups).toEqual([]);
  });

  test('a claim scope maps attributes, groups and global roles to claims; a missing attribute gives no claim', async () => {
    await admin.expect(200, 'PATCH', `/users/${member.id}`, { attributes: { department: 'Research', employee_id: 4711 } });
    const { idToken, userinfo } = await claimsFor(member, 'openid org');
    const expected = { department: 'Research', employee_id: 4711, teams: ['engineering', 'platform'], app_roles: ['staff'] };
    expect(idToken).toMatchObject(expected);
    expect(userinfo).toEqual({ sub: member.id, ...expected });

    await admin.expect(200, 'PATCH', `/users/${member.id}`, { attributes: { department: null } });
    const after = await claimsFor(member, 'openid org');
    expect(after.userinfo).not.toHaveProperty('department');
    expect(after.idToken).not.toHaveProperty('department');
  });

  test('discovery lists the groups scope, the claim scopes and their claims', async () => {
    const discovery = await (await fetch(`${kl.url}/.well-known/openid-configuration`)).json() as Record<string, string[]>;
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(['groups', 'org']));
    expect(discovery.claims_supported).toEqual(expect.arrayContaining(['groups', 'department', 'employee_id', 'teams', 'app_roles']));
  });

  test('the consent page explains the groups scope and a claim scope by what it releases', async () => {
    const pages = await import('../support/account-pages.ts');
    const signedIn = await signIn(kl, client, member, { scope: 'openid groups org', params: { prompt: 'consent' } });
    const account = new pages.AccountPages(kl, signedIn.browser);
    const apps = await account.open('/account/apps');
    expect(apps.text).toContain('See the groups you belong to');
    expect(apps.text).toContain('See these details of your account: Department, employee_id, your groups, your roles');
  });

  test('admin API: attributes in the user view, set and removed by PATCH, audited as user.updated with what changed', async () => {
    const user = await createTestUser(kl);
    const changed = await admin.expect(200, 'PATCH', `/users/${user.id}`, { attributes: { skills: ['go', 'sql'], start_date: '2024-02-29', employee_id: 1 } });
    expect(changed.attributes).toEqual({ skills: ['go', 'sql'], start_date: '2024-02-29', employee_id: 1 });
    expect((await admin.expect(200, 'GET', `/users/${user.id}`)).attributes).toEqual(changed.attributes);
    const removed = await admin.expect(200, 'PATCH', `/users/${user.id}`, { attributes: { skills: null } });
    expect(removed.attributes).toEqual({ start_date: '2024-02-29', employee_id: 1 });
    const events = await kl.store.audit.query({ accountId: user.id, type: 'user.updated', limit: 10 });
    expect(events.map((event) => event.data)).toEqual(expect.arrayContaining([
      expect.objectContaining({ before: { attributes: { skills: ['go', 'sql'] } }, after: { attributes: { skills: null } } }),
    ]));
  });

  test('admin API: an unknown attribute, a bad value and a required one removed are refused with 422 naming each, and nothing changes', async () => {
    const user = await createTestUser(kl);
    const unknown = await admin.call('PATCH', `/users/${user.id}`, { name: 'Changed', attributes: { foo: 'bar' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail).toBe('unknown attribute "foo"');
    expect(unknown.body.errors).toEqual([{ pointer: '#/attributes/foo', detail: 'unknown attribute "foo"' }]);
    const bad = await admin.call('PATCH', `/users/${user.id}`, { attributes: { start_date: '2023-02-30', employee_id: 2 } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([{ pointer: '#/attributes/start_date', detail: 'attribute "start_date" must be a calendar date as YYYY-MM-DD' }]);
    await admin.expect(200, 'PATCH', `/users/${user.id}`, { attributes: { employee_id: 3 } });
    const required = await admin.call('PATCH', `/users/${user.id}`, { attributes: { employee_id: null } });
    expect(required.status).toBe(422);
    expect(required.body.detail).toBe('attribute "employee_id" is required and cannot be removed');
    const now = await admin.expect(200, 'GET', `/users/${user.id}`);
    expect(now.name).not.toBe('Changed');
    expect(now.attributes).toEqual({ employee_id: 3 });
  });

  test('admin API: a new user needs every required attribute, and an unknown one is refused', async () => {
    const base = { email: `new-${Date.now()}@example.test`, password: 'correct horse battery staple' };
    const missing = await admin.call('POST', '/users', base);
    expect(missing.status).toBe(422);
    expect(missing.body.detail).toBe('attribute "employee_id" is required');
    const unknown = await admin.call('POST', '/users', { ...base, attributes: { employee_id: 5, foo: 1 } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail).toBe('unknown attribute "foo"');
    const created = await admin.expect(201, 'POST', '/users', { ...base, attributes: { employee_id: 5, department: 'Ops' } });
    expect(created.attributes).toEqual({ employee_id: 5, department: 'Ops' });
  });

  test('CLI: set-attribute reads the declared type, unset-attribute removes, show prints them, an unknown one is an error line', async () => {
    const user = await createTestUser(kl);
    const env = { KEYLINE_CONFIG: configFile };
    const unknown = await runCli(kl, ['users', 'set-attribute', user.email, 'foo', 'bar'], '', env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('keyline: unknown attribute "foo"\n');
    const badDate = await runCli(kl, ['users', 'set-attribute', user.email, 'start_date', '2023-02-30'], '', env);
    expect(badDate.code).toBe(1);
    expect(badDate.stderr).toBe('keyline: attribute "start_date" must be a calendar date as YYYY-MM-DD\n');
    expect((await runCli(kl, ['users', 'set-attribute', user.email, 'employee_id', '77'], '', env)).code).toBe(0);
    expect((await runCli(kl, ['users', 'set-attribute', user.email, 'skills', 'go, sql'], '', env)).code).toBe(0);
    expect((await runCli(kl, ['users', 'set-attribute', user.email, 'department', 'R&D'], '', env)).code).toBe(0);
    expect((await runCli(kl, ['users', 'unset-attribute', user.email, 'department'], '', env)).code).toBe(0);
    const required = await runCli(kl, ['users', 'unset-attribute', user.email, 'employee_id'], '', env);
    expect(required.stderr).toBe('keyline: attribute "employee_id" is required and cannot be removed\n');
    const shown = await runCli(kl, ['users', 'show', user.email], '', env);
    expect(JSON.parse(shown.stdout).attributes).toEqual({ employee_id: 77, skills: ['go', 'sql'] });
    const events = await kl.store.audit.query({ accountId: user.id, type: 'user.updated', limit: 10 });
    expect(events.every((event) => event.actor.startsWith('cli'))).toBe(true);
    expect(events).toHaveLength(4);
  });

  test('CLI: users add takes --attribute name=value, repeatable, and refuses a missing required or unknown one', async () => {
    const env = { KEYLINE_CONFIG: configFile };
    const email = `cli-${Date.now()}@example.test`;
    const missing = await runCli(kl, ['users', 'add', email, '--attribute', 'department=Ops'], 'correct horse battery staple', env);
    expect(missing.stderr).toBe('keyline: attribute "employee_id" is required\n');
    const unknown = await runCli(kl, ['users', 'add', email, '--attribute', 'employee_id=1', '--attribute', 'foo=bar'], 'correct horse battery staple', env);
    expect(unknown.stderr).toBe('keyline: unknown attribute "foo"\n');
    const added = await runCli(kl, ['users', 'add', email, '--attribute', 'employee_id=9', '--attribute', 'skills=["a,b","c"]'], 'correct horse battery staple', env);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout).attributes).toEqual({ employee_id: 9, skills: ['a,b', 'c'] });
  });
});
