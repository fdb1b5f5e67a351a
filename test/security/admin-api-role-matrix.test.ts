import { decodeJwt } from 'jose';
import { adminOperations } from '../../src/admin-api/admin-api.ts';
import type { AdminDependencies } from '../../src/admin-api/admin-dependencies.ts';
import type { AdminOperation } from '../../src/admin-api/admin-operation.ts';
import { adminApiIndicator } from '../../src/oidc/admin-api-resource.ts';
import {
  ADMIN_HELPDESK_SCOPE, ADMIN_READ_SCOPE, ADMIN_SCOPE, AdminSession, adminCall, personToken, registerPersonAdminClient,
} from '../support/admin-api.ts';
import { mongoBackend, sqliteBackend, type Backend } from '../support/backends.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, registerTestClient, type TestClient, type TestUser } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

afterAll(stopMongoTestServer);

/**
 * The admin API's authorization matrix: every operation the API routes (read from the operations
 * themselves, so a new one is in the matrix the moment it exists) against every kind of caller.
 * The rule, written out here on its own: keyline:admin does everything; keyline:admin:read reads;
 * keyline:helpdesk runs the help desk's operations only; a person holds what their built-in
 * role gives them, whatever their token says. Refused is exactly 403; nothing is ever a 500.
 */
const OPERATIONS: AdminOperation[] = adminOperations({} as AdminDependencies).flat();

/** What the help desk may do: the list (read users, unlock, reset MFA, send reset links, end sessions). */
const HELPDESK_OPERATIONS = [
  'listUsers', 'getUser', 'getUserAccess', 'unlockUser', 'resetUserSecondFactors', 'sendPasswordResetLink',
  'listUserSessions', 'revokeUserSession', 'revokeUserSessions',
].sort();

type Grants = 'everything' | 'reads' | 'helpdesk' | 'nothing';

function allowed(grants: Grants, operation: AdminOperation): boolean {
  if (grants === 'everything') return true;
  if (grants === 'reads') return operation.access === 'read';
  if (grants === 'helpdesk') return HELPDESK_OPERATIONS.includes(operation.id);
  return false;
}

/** A path for the operation: ids that find nothing (an allowed call answers 404 or 422, never changing anything that matters). */
function concretePath(operation: AdminOperation): string {
  return operation.path
    .replace('{indicator}', encodeURIComponent('https://no-such-api.example.test'))
    .replace('{kind}', 'user')
    .replace(/\{\w+\}/g, 'no-such-thing');
}

test('the help desk\'s operations are exactly the issue\'s list, and every other operation is not one', () => {
  expect(OPERATIONS.filter((operation) => operation.helpdesk).map((operation) => operation.id).sort()).toEqual(HELPDESK_OPERATIONS);
  expect(OPERATIONS.length).toBeGreaterThan(40);
});

async function runMatrix(backend: Backend, operations: readonly AdminOperation[]): Promise<void> {
  const { kl, cleanup } = await startOnBackend(backend);
  try {
    const admin = await AdminSession.open(kl);
    const console = await registerPersonAdminClient(kl);
    const person = async (role?: string) => {
      const user = await createTestUser(kl);
      if (role) await admin.expect(201, 'POST', `/roles/${role}/grants`, { kind: 'user', id: user.id });
      return personToken(kl, console, user);
    };
    const callers: Array<{ name: string; grants: Grants; token: string }> = [
      { name: 'keyline-admin person', grants: 'everything', token: await person('keyline-admin') },
      { name: 'keyline-helpdesk person', grants: 'helpdesk', token: await person('keyline-helpdesk') },
      { name: 'keyline-viewer person', grants: 'reads', token: await person('keyline-viewer') },
      { name: 'person with no role', grants: 'nothing', token: await person() },
      { name: 'client keyline:admin', grants: 'everything', token: admin.token },
      { name: 'client keyline:admin:read', grants: 'reads', token: (await AdminSession.open(kl, ADMIN_READ_SCOPE)).token },
      { name: 'client keyline:helpdesk', grants: 'helpdesk', token: (await AdminSession.open(kl, ADMIN_HELPDESK_SCOPE)).token },
    ];
    // Every person's token asked for every admin scope and got what their built-in role permits (the admin API is RBAC for people); the call-time check decides again.
    expect(callers.slice(0, 4).map((caller) => decodeJwt(caller.token).scope)).toEqual([
      `${ADMIN_SCOPE} ${ADMIN_READ_SCOPE} ${ADMIN_HELPDESK_SCOPE}`, ADMIN_HELPDESK_SCOPE, ADMIN_READ_SCOPE, undefined,
    ]);

    const wrong: string[] = [];
    for (const operation of operations) {
      for (const caller of callers) {
        const answer = await adminCall(kl, caller.token, operation.method.toUpperCase(), concretePath(operation), operation.body ? {} : undefined);
        const expected = allowed(caller.grants, operation);
        const right = answer.status < 500 && (expected ? answer.status !== 403 && answer.status !== 401 : answer.status === 403);
        if (!right) wrong.push(`${caller.name} ${operation.id}: ${answer.status} ${answer.body?.detail ?? ''}`);
      }
    }
    expect(wrong).toEqual([]);
  } finally {
    await kl.stop();
    await cleanup();
  }
}

test('every operation × every caller on SQLite: 403 exactly where the rule says, never a 500', async () => {
  await runMatrix(sqliteBackend, OPERATIONS);
}, 120_000);

test('every operation × every caller on the MongoDB wire', async () => {
  await runMatrix(await mongoBackend(), OPERATIONS);
}, 120_000);

describe('a person\'s token is judged by the person\'s roles as they are at each call', () => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  let admin: AdminSession;
  let console: TestClient;

  beforeAll(async () => {
    ({ kl, cleanup } = await startOnBackend(sqliteBackend, {
      config: { resources: { 'https://orders.example.test': { scopes: ['orders:read'] } } },
    }));
    admin = await AdminSession.open(kl);
    console = await registerPersonAdminClient(kl);
  });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
  });

  async function personWith(role: string): Promise<{ user: TestUser; token: string }> {
    const user = await createTestUser(kl);
    await admin.expect(201, 'POST', `/roles/${role}/grants`, { kind: 'user', id: user.id });
    return { user, token: await personToken(kl, console, user) };
  }

  test('the OpenAPI document states, per operation, the scopes that suffice, and declares keyline:helpdesk', async () => {
    const document = await (await fetch(`${kl.url}/admin/v1/openapi.json`)).json() as {
      paths: Record<string, Record<string, { operationId: string; security: Array<Record<string, string[]>> }>>;
      components: { securitySchemes: { adminToken: { flows: Record<string, { scopes: Record<string, string> }> } } };
    };
    for (const operation of OPERATIONS) {
      const expected = [ADMIN_SCOPE, ...(operation.access === 'read' ? [ADMIN_READ_SCOPE] : []), ...(HELPDESK_OPERATIONS.includes(operation.id) ? [ADMIN_HELPDESK_SCOPE] : [])];
      expect({ id: operation.id, security: document.paths[operation.path]![operation.method]!.security })
        .toEqual({ id: operation.id, security: expected.map((scope) => ({ adminToken: [scope] })) });
    }
    for (const flow of ['clientCredentials', 'authorizationCode']) {
      expect(Object.keys(document.components.securitySchemes.adminToken.flows[flow]!.scopes).sort()).toEqual([ADMIN_SCOPE, ADMIN_READ_SCOPE, ADMIN_HELPDESK_SCOPE].sort());
    }
  });

  test('the help desk resets a person\'s second factors, and is refused clients and keys', async () => {
    const { token } = await personWith('keyline-helpdesk');
    const someone = await createTestUser(kl);
    expect((await adminCall(kl, token, 'DELETE', `/users/${someone.id}/factors`)).status).toBe(200);
    expect((await adminCall(kl, token, 'POST', `/users/${someone.id}/unlock`)).status).toBe(204);
    expect((await adminCall(kl, token, 'GET', `/users/${someone.id}/access`)).status).toBe(200);
    for (const [method, path] of [['GET', '/clients'], ['POST', '/clients'], ['GET', '/signing-keys'], ['POST', '/signing-keys/rotation'], ['GET', '/audit-events'], ['POST', '/groups']] as const) {
      const answer = await adminCall(kl, token, method, path, method === 'POST' ? {} : undefined);
      expect({ path, status: answer.status }).toEqual({ path, status: 403 });
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  test('a role revoked mid-way stops the very next call made with the same token', async () => {
    const { user, token } = await personWith('keyline-admin');
    expect((await adminCall(kl, token, 'GET', '/clients')).status).toBe(200);
    await admin.expect(204, 'DELETE', `/roles/keyline-admin/grants/user/${user.id}`);
    const next = await adminCall(kl, token, 'GET', '/clients');
    expect(next.status).toBe(403);
    expect(next.body.detail).toMatch(/your roles/);
  });

  test('a role held through a group counts, and leaving the group ends it at once', async () => {
    const user = await createTestUser(kl);
    await admin.expect(201, 'POST', '/groups', { name: 'it-helpdesk' });
    await admin.expect(201, 'POST', '/roles/keyline-helpdesk/grants', { kind: 'group', id: 'it-helpdesk' });
    await admin.expect(204, 'PUT', `/groups/it-helpdesk/members/${user.id}`);
    const token = await personToken(kl, console, user);
    expect((await adminCall(kl, token, 'GET', '/users')).status).toBe(200);
    await admin.expect(204, 'DELETE', `/groups/it-helpdesk/members/${user.id}`);
    expect((await adminCall(kl, token, 'GET', '/users')).status).toBe(403);
  });

  test('a disabled person\'s token is 401, and so is a removed person\'s', async () => {
    const disabled = await personWith('keyline-admin');
    expect((await adminCall(kl, disabled.token, 'GET', '/users')).status).toBe(200);
    await admin.expect(200, 'PATCH', `/users/${disabled.user.id}`, { disabled: true });
    const refused = await adminCall(kl, disabled.token, 'GET', '/users');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);

    const removed = await personWith('keyline-admin');
    await admin.expect(200, 'DELETE', `/users/${removed.user.id}`);
    expect((await adminCall(kl, removed.token, 'GET', '/users')).status).toBe(401);
    // Their grant went with them: nobody who later gets their id inherits keyline-admin.
    expect(await kl.store.roles.grantsTo([{ kind: 'user', id: removed.user.id }])).toEqual([]);
  });

  test('a keyline-admin person\'s token for another API is refused by the admin API', async () => {
    const user = await createTestUser(kl);
    await admin.expect(201, 'POST', '/roles/keyline-admin/grants', { kind: 'user', id: user.id });
    const app = await registerTestClient(kl, { scopes: 'openid orders:read', resources: ['https://orders.example.test'] });
    const token = await personToken(kl, app, user, 'https://orders.example.test', 'orders:read');
    expect(decodeJwt(token).aud).toBe('https://orders.example.test');
    const answer = await adminCall(kl, token, 'GET', '/users');
    expect(answer.status).toBe(403);
    expect(answer.body.detail).toContain(adminApiIndicator(kl.url));
  });

  test('a person\'s change is audited as the person, through the client they used', async () => {
    const { user, token } = await personWith('keyline-admin');
    const answer = await adminCall(kl, token, 'POST', '/groups', { name: 'audited-by-person' });
    expect(answer.status).toBe(201);
    const events = await admin.expect(200, 'GET', '/audit-events?type=group.created');
    expect(events.items.find((event: { data: { after: { name: string } } }) => event.data.after.name === 'audited-by-person'))
      .toMatchObject({ actor: `user:${user.id}`, clientId: console.clientId, requestId: answer.requestId });
  });
});
