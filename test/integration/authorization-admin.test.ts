import { AdminSession, adminCall } from '../support/admin-api.ts';
import { allBackends, sqliteBackend } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, registerTestClient, type TestUser } from '../support/oidc-flow.ts';
import { eventually, startRecordingReceiver, type RecordingReceiver } from '../support/recording-receiver.ts';
import { runCli } from '../support/run-cli.ts';
import { useSmtpServer } from '../support/smtp-server.ts';
import { eventAbout, pushedSets, registerReceiver } from '../support/ssf-receiver.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const ORDERS = 'https://orders.example.test';
const TOKEN_CLAIMS_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change';
const PUSH = 'urn:ietf:rfc:8935';

/**
 * Groups, roles and grants administered over HTTP (the admin API) and by the CLI (another
 * process on the same store), on each backend: what is stored is what is shown, every change is
 * audited, refusals name what is wrong, removals take what hangs on them along, and a grant reaches
 * shared-signals receivers as a CAEP token-claims-change.
 */
describe.each(backends)('administering groups and roles on $name', (backend) => {
  let kl: RunningKeyline;
  let admin: AdminSession;
  let push: RecordingReceiver;

  beforeAll(async () => {
    push = await startRecordingReceiver();
    push.answerWith(202);
  });
  afterAll(() => push.stop());
  useKeyline(backend, {
    config: {
      outbound: { allowPrivateNetworks: true },
      jobs: { pollInterval: 0.2, retryBase: 0.2, retryMax: 1 },
    },
  }, async (ready) => {
    ({ kl } = ready);
    admin = await AdminSession.open(kl);
    // In the store, not the config: the CLI (another process, with no config) knows it too.
    await admin.expect(201, 'POST', '/resources', { indicator: ORDERS, scopes: ['orders:read', 'orders:write'] });
    const receiver = await registerReceiver(kl);
    const stream = await receiver.call('POST', '/ssf/streams', { delivery: { method: PUSH, endpoint_url: `${push.url}/events` }, events_requested: [TOKEN_CLAIMS_CHANGE] });
    if (stream.status !== 201) throw new Error(`no push stream: ${stream.status} ${JSON.stringify(stream.body)}`);
  });

  const cli = (...args: string[]) => runCli(kl, args, '', { KEYLINE_ACTOR: 'operator' });
  const cliOk = async (...args: string[]) => {
    const result = await cli(...args);
    if (result.code !== 0) throw new Error(`keyline ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return result.stdout;
  };
  /** A refusal is one line on stderr and a non-zero exit. */
  const cliRefused = async (...args: string[]) => {
    const result = await cli(...args);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    return result.stderr;
  };
  const unique = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}`;

  test('groups over the admin API: create under a parent, read with parent, children, members and roles, move, rename, remove', async () => {
    const top = unique('eng');
    const child = unique('backend');
    const parent = await admin.expect(201, 'POST', '/groups', { name: top, description: 'Engineering' });
    expect(parent).toMatchObject({ id: expect.stringMatching(/^grp_[A-Za-z0-9_-]{22}$/), name: top, parentId: null, parent: null, description: 'Engineering' });
    const created = await admin.expect(201, 'POST', '/groups', { name: child, parent: top });
    expect(created).toMatchObject({ parentId: parent.id, parent: top });

    const user = await createTestUser(kl);
    await admin.expect(204, 'PUT', `/groups/${child}/members/${user.id}`);
    await admin.expect(204, 'PUT', `/groups/${created.id}/members/${user.id}`);
    const role = await admin.expect(201, 'POST', '/roles', { name: unique('orders-reader'), resource: ORDERS, permissions: ['orders:read'] });
    await admin.expect(201, 'POST', `/roles/${role.id}/grants`, { kind: 'group', id: top });

    expect(await admin.expect(200, 'GET', `/groups/${top}`)).toMatchObject({
      name: top, children: [{ id: created.id, name: child }], memberCount: 0, roles: [{ id: role.id, name: role.name, resource: ORDERS }],
    });
    expect(await admin.expect(200, 'GET', `/groups/${child}`)).toMatchObject({ parent: top, memberCount: 1, children: [], roles: [] });
    expect((await admin.expect(200, 'GET', `/groups/${child}/members`)).items).toEqual([{ id: user.id, email: user.email, name: expect.any(String), disabled: false }]);
    const listed = await admin.expect(200, 'GET', '/groups?limit=200');
    expect(listed.items.map((group: { name: string }) => group.name)).toEqual(expect.arrayContaining([top, child]));

    // The person holds the parent's role through the child group.
    expect(await admin.expect(200, 'GET', `/users/${user.id}/access`)).toEqual({
      groups: [child, top].sort(),
      roles: [{ id: role.id, name: role.name, resource: ORDERS, direct: false, groups: [top] }],
      resources: [{ resource: ORDERS, roles: [role.name], permissions: ['orders:read'] }],
      globalRoles: [],
    });

    const renamed = unique('platform');
    expect(await admin.expect(200, 'PATCH', `/groups/${child}`, { name: renamed, parent: null, description: 'moved to the top' }))
      .toMatchObject({ name: renamed, parentId: null, parent: null, description: 'moved to the top' });
    expect((await admin.expect(200, 'GET', `/users/${user.id}/access`)).groups).toEqual([renamed]);
    await admin.expect(200, 'PATCH', `/groups/${renamed}`, { parent: parent.id });

    const blocked = await admin.call('DELETE', `/groups/${top}`);
    expect(blocked.status).toBe(409);
    expect(blocked.body.detail).toContain(renamed);
    await admin.expect(204, 'DELETE', `/groups/${renamed}/members/${user.id}`);
    await admin.expect(204, 'DELETE', `/groups/${renamed}`);
    await admin.expect(204, 'DELETE', `/groups/${top}`);
    expect(await kl.store.roles.grantsOf(role.id)).toEqual([]);
    expect((await admin.call('GET', `/groups/${top}`)).status).toBe(404);
  });

  test('a parent that would make a cycle is refused, naming the chain; so is an unknown parent', async () => {
    const [a, b, c] = [unique('a'), unique('b'), unique('c')];
    await admin.expect(201, 'POST', '/groups', { name: a });
    await admin.expect(201, 'POST', '/groups', { name: b, parent: a });
    await admin.expect(201, 'POST', '/groups', { name: c, parent: b });
    const cycle = await admin.call('PATCH', `/groups/${a}`, { parent: c });
    expect(cycle.status).toBe(422);
    expect(cycle.body.detail).toContain(`${c} → ${b} → ${a}`);
    expect(cycle.body.errors).toEqual([expect.objectContaining({ pointer: '#/parent' })]);
    expect((await admin.call('PATCH', `/groups/${a}`, { parent: a })).status).toBe(422);
    expect((await admin.call('POST', '/groups', { name: unique('orphan'), parent: 'no-such-group' })).status).toBe(404);
    expect((await admin.expect(200, 'GET', `/groups/${a}`)).parentId).toBeNull();

    expect(await cliRefused('groups', 'update', b, '--parent', c)).toMatch(new RegExp(`cycle \\(${c} → ${b}\\)`));
  });

  test('two moves at once, each harmless alone (A under B, B under A), never make a cycle: one is refused', async () => {
    for (let round = 0; round < 5; round += 1) {
      const [a, b] = [unique('left'), unique('right')];
      await admin.expect(201, 'POST', '/groups', { name: a });
      await admin.expect(201, 'POST', '/groups', { name: b });
      const answers = await Promise.all([admin.call('PATCH', `/groups/${a}`, { parent: b }), admin.call('PATCH', `/groups/${b}`, { parent: a })]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 422]);
      const [left, right] = [await kl.store.groups.findByName(a), await kl.store.groups.findByName(b)];
      expect(left!.parentId === right!.id && right!.parentId === left!.id).toBe(false);
    }
  });

  test('roles over the admin API: resource and global roles, the built-in ones listed and fixed, grants to users, groups and clients', async () => {
    const name = unique('orders-clerk');
    const role = await admin.expect(201, 'POST', '/roles', { name, resource: ORDERS, permissions: ['orders:read'], description: 'Reads orders' });
    expect(role).toMatchObject({ id: expect.stringMatching(/^rol_/), name, resource: ORDERS, permissions: ['orders:read'], builtIn: false });
    const global = await admin.expect(201, 'POST', '/roles', { name: unique('auditor'), resource: null });
    expect(global).toMatchObject({ resource: null, permissions: [] });

    const listed = (await admin.expect(200, 'GET', '/roles?limit=200')).items.map((entry: { name: string }) => entry.name);
    expect(listed).toEqual(expect.arrayContaining(['keyline-admin', 'keyline-helpdesk', 'keyline-viewer', name, global.name]));
    expect(await admin.expect(200, 'GET', '/roles/keyline-helpdesk')).toMatchObject({ builtIn: true, permissions: ['keyline:helpdesk'] });
    expect((await admin.call('PATCH', '/roles/keyline-admin', { description: 'mine now' })).status).toBe(409);
    expect((await admin.call('DELETE', '/roles/keyline-viewer')).status).toBe(409);

    const user = await createTestUser(kl);
    const group = await admin.expect(201, 'POST', '/groups', { name: unique('clerks') });
    const machine = await registerTestClient(kl, { name: 'Order sync', grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], scopes: 'orders:read', resources: [ORDERS] });
    expect(await admin.expect(201, 'POST', `/roles/${name}/grants`, { kind: 'user', id: user.id })).toMatchObject({ kind: 'user', id: user.id, name: user.email });
    expect(await admin.expect(200, 'POST', `/roles/${name}/grants`, { kind: 'user', id: user.id })).toMatchObject({ kind: 'user', id: user.id });
    await admin.expect(201, 'POST', `/roles/${role.id}/grants`, { kind: 'group', id: group.name });
    expect(await admin.expect(201, 'POST', `/roles/${name}/grants`, { kind: 'client', id: machine.clientId })).toMatchObject({ name: 'Order sync' });
    expect((await admin.expect(200, 'GET', `/roles/${name}`)).grants.map((grant: { kind: string; id: string }) => `${grant.kind}:${grant.id}`).sort())
      .toEqual([`client:${machine.clientId}`, `group:${group.id}`, `user:${user.id}`].sort());
    expect((await admin.expect(200, 'GET', `/roles/${name}/grants`)).items).toHaveLength(3);

    const toClient = await admin.call('POST', '/roles/keyline-admin/grants', { kind: 'client', id: machine.clientId });
    expect(toClient.status).toBe(422);
    expect(toClient.body.detail).toMatch(/registered scopes/);
    expect((await admin.call('POST', `/roles/${name}/grants`, { kind: 'user', id: 'no-such-user' })).status).toBe(404);
    expect((await admin.call('POST', `/roles/${name}/grants`, { kind: 'client', id: 'no-such-client' })).status).toBe(404);
    expect((await admin.call('POST', `/roles/${name}/grants`, { kind: 'robot', id: user.id })).status).toBe(422);

    expect(await admin.expect(200, 'PATCH', `/roles/${name}`, { permissions: ['orders:read', 'orders:write'], description: null }))
      .toMatchObject({ permissions: ['orders:read', 'orders:write'], description: null });
    await admin.expect(204, 'DELETE', `/roles/${name}/grants/group/${group.name}`);
    expect((await admin.call('DELETE', `/roles/${name}/grants/group/${group.name}`)).status).toBe(404);

    // Removing the client and the user takes their grants along; removing the role takes the rest.
    await admin.expect(204, 'DELETE', `/clients/${machine.clientId}`);
    await admin.expect(200, 'DELETE', `/users/${user.id}`);
    expect(await kl.store.roles.grantsOf(role.id)).toEqual([]);
    await admin.expect(204, 'DELETE', `/roles/${name}`);
    expect((await admin.call('GET', `/roles/${role.id}`)).status).toBe(404);
  });

  test('an unknown permission, an unknown resource, a reserved or malformed name are refused, naming it', async () => {
    const unknownPermission = await admin.call('POST', '/roles', { name: unique('r'), resource: ORDERS, permissions: ['orders:read', 'orders:destroy'] });
    expect(unknownPermission.status).toBe(422);
    expect(unknownPermission.body.detail).toContain('"orders:destroy"');
    expect(unknownPermission.body.detail).not.toContain('"orders:read"');
    const unknownResource = await admin.call('POST', '/roles', { name: unique('r'), resource: 'https://nowhere.example.test', permissions: [] });
    expect(unknownResource.status).toBe(422);
    expect(unknownResource.body.detail).toContain('https://nowhere.example.test');
    const reserved = await admin.call('POST', '/roles', { name: 'keyline-superuser', resource: null });
    expect(reserved.status).toBe(422);
    expect(reserved.body.detail).toMatch(/keyline-/);
    expect((await admin.call('POST', '/groups', { name: 'has space' })).status).toBe(422);
    expect((await admin.call('POST', '/roles', { name: unique('r'), permissions: [] })).body.errors).toEqual([expect.objectContaining({ pointer: '#/resource' })]);

    expect(await cliRefused('roles', 'add', unique('r'), '--resource', ORDERS, '--permissions', 'orders:read orders:destroy')).toContain('"orders:destroy"');
    expect(await cliRefused('roles', 'add', unique('r'), '--resource', 'https://nowhere.example.test')).toContain('https://nowhere.example.test');
    expect(await cliRefused('roles', 'add', 'keyline-root', '--global')).toMatch(/keyline-/);
    expect(await cliRefused('roles', 'grant', 'keyline-viewer', '--user', 'nobody@example.test')).toContain('nobody@example.test');
    expect(await cliRefused('roles', 'grant', 'keyline-viewer', '--group', 'no-such-group')).toContain('no-such-group');
    expect(await cliRefused('roles', 'grant', 'keyline-viewer', '--client', 'no-such-client')).toContain('no-such-client');
    expect(await cliRefused('groups', 'add-member', 'no-such-group', 'nobody@example.test')).toContain('no-such-group');
  }, 60_000);

  test('the CLI: groups and roles from add to remove, users show with groups and roles, each change audited as the OS user', async () => {
    const [parent, child, role] = [unique('sales'), unique('emea'), unique('orders-viewer')];
    const user = await createTestUser(kl);
    expect(JSON.parse(await cliOk('groups', 'add', parent, '--description', 'Sales'))).toMatchObject({ name: parent, parent: null, description: 'Sales' });
    expect(JSON.parse(await cliOk('groups', 'add', child, '--parent', parent))).toMatchObject({ name: child, parent });
    expect(await cliOk('groups', 'add-member', child, user.email)).toContain(`is now a member of ${child}`);
    expect(JSON.parse(await cliOk('roles', 'add', role, '--resource', ORDERS, '--permissions', 'orders:read'))).toMatchObject({ name: role, permissions: ['orders:read'] });
    expect(await cliOk('roles', 'grant', role, '--group', parent)).toContain(`granted ${role} to group ${parent}`);
    expect(await cliOk('roles', 'grant', 'keyline-viewer', '--user', user.email)).toContain('granted keyline-viewer');

    expect(await cliOk('groups', 'list')).toMatch(new RegExp(`${child}\\tparent: ${parent}`));
    expect(JSON.parse(await cliOk('groups', 'show', parent))).toMatchObject({ name: parent, children: [child], members: [], roles: [role] });
    expect(JSON.parse(await cliOk('groups', 'show', child))).toMatchObject({ parent, members: [user.email] });
    expect(JSON.parse(await cliOk('roles', 'show', role)).grants).toEqual([expect.objectContaining({ kind: 'group', name: parent })]);
    expect(JSON.parse(await cliOk('users', 'show', user.email))).toMatchObject({
      groups: [child, parent].sort(),
      roles: [`keyline-viewer (direct)`, `${role} (group ${parent})`].sort(),
    });

    expect(JSON.parse(await cliOk('groups', 'update', child, '--no-parent', '--name', `${child}-x`))).toMatchObject({ name: `${child}-x`, parent: null });
    expect(JSON.parse(await cliOk('roles', 'update', role, '--permissions', 'orders:read orders:write'))).toMatchObject({ permissions: ['orders:read', 'orders:write'] });
    expect(await cliOk('roles', 'revoke', role, '--group', parent)).toContain('revoked');
    expect(await cliOk('groups', 'remove-member', `${child}-x`, user.email)).toContain('no longer');
    expect(await cliOk('roles', 'remove', role)).toContain(`removed role ${role}`);
    expect(await cliOk('groups', 'remove', `${child}-x`)).toContain('removed group');
    expect(await cliOk('groups', 'remove', parent)).toContain('removed group');
    expect((await cli('groups', 'show', parent)).code).not.toBe(0);

    const events = await kl.store.audit.query({ limit: 200 });
    const byCli = events.filter((event) => event.actor === 'cli:operator').map((event) => event.type);
    expect(byCli).toEqual(expect.arrayContaining([
      'group.created', 'group.member_added', 'role.created', 'role.granted', 'group.updated', 'role.updated', 'role.revoked',
      'group.member_removed', 'role.removed', 'group.removed',
    ]));
    // About 25 CLI processes, each a second or so to start.
  }, 90_000);

  test('every admin API change is audited as the calling client, with the request', async () => {
    const name = unique('audited');
    const answer = await admin.call('POST', '/groups', { name });
    expect(answer.status).toBe(201);
    const events = await admin.expect(200, 'GET', '/audit-events?type=group.created');
    expect(events.items.find((event: { data: { groupId: string } }) => event.data.groupId === answer.body.id)).toMatchObject({
      actor: `client:${admin.client.clientId}`, requestId: answer.requestId, data: { after: { name }, operation: 'createGroup' },
    });
  });

  test('a grant reaches a push receiver as a CAEP token-claims-change with the person\'s groups and roles', async () => {
    const user = await createTestUser(kl);
    const group = unique('support');
    await admin.expect(201, 'POST', '/groups', { name: group });
    await admin.expect(204, 'PUT', `/groups/${group}/members/${user.id}`);
    await admin.expect(201, 'POST', '/roles/keyline-helpdesk/grants', { kind: 'group', id: group });
    const event = await eventually('a token-claims-change naming keyline-helpdesk', () => pushedSets(push)
      .map((entry) => eventAbout(entry.claims, TOKEN_CLAIMS_CHANGE, user.id))
      .find((about) => (about?.claims as { roles?: string[] } | undefined)?.roles?.includes('keyline-helpdesk')));
    expect(event.claims).toEqual({ groups: [group], roles: ['keyline-helpdesk'] });
  });
});

describe('the help desk mails a reset link through the self-service mail', () => {
  const smtp = useSmtpServer();
  let kl: RunningKeyline;
  let admin: AdminSession;
  let user: TestUser;
  useKeyline(sqliteBackend, { config: { mail: smtp.mail, jobs: { pollInterval: 0.2, retryBase: 0.2, retryMax: 1 } } }, async (ready) => {
    ({ kl, user } = ready);
    admin = await AdminSession.open(kl, 'keyline:helpdesk');
  });

  test('the link goes to the person\'s own address, never into the answer, and is audited', async () => {
    const answer = await admin.call('POST', `/users/${user.id}/password-reset`);
    expect(answer.status).toBe(204);
    expect(answer.body).toBeUndefined();
    const mail = await smtp.server().nextMailTo(user.email);
    expect(mail.link).toContain('/password/reset');
    const events = await kl.store.audit.query({ limit: 50 });
    expect(events.find((event) => event.type === 'password.reset_link_sent')).toMatchObject({ accountId: user.id, actor: `client:${admin.client.clientId}` });
  });

  test('a disabled person gets no link (409), and an unknown one is 404', async () => {
    const other = await createTestUser(kl);
    await kl.keyline.accounts.setDisabled(other.email, true);
    expect((await admin.call('POST', `/users/${other.id}/password-reset`)).status).toBe(409);
    expect((await adminCall(kl, admin.token, 'POST', '/users/no-such-user/password-reset')).status).toBe(404);
  });
});
