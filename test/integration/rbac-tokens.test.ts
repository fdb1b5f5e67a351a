/**
 * What reaches access tokens for an API with RBAC (issue 20): the token's scope is what was asked,
 * what the client is registered for and what the subject's roles permit on THAT API; the JWT says
 * which roles and permissions. People get roles directly and through groups (a child group's
 * members hold the parent's), machines through grants to their client. Roles are read again at
 * every refresh, and a change is sent to shared-signals receivers. Without RBAC nothing changes.
 */
import { decodeJwt, type JWTPayload } from 'jose';
import { adminApiIndicator } from '../../src/oidc/admin-api-resource.ts';
import { allBackends } from '../support/backends.ts';
import { useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import {
  createTestUser, exchangeCode, introspect, registerTestClient, signIn, tokenRequest, type TestClient, type TestUser,
} from '../support/oidc-flow.ts';
import { addGroup, addMember, addRole, grant, revoke } from '../support/rbac-setup.ts';
import { DEVICE_CODE_GRANT } from '../../src/oidc/client-registration.ts';
import { approveDevice, pollForTokens, type DeviceAuthorization } from '../support/device-flow.ts';
import { eventually, startRecordingReceiver, type RecordingReceiver } from '../support/recording-receiver.ts';
import { runCli } from '../support/run-cli.ts';
import { eventAbout, pushedSets, registerReceiver } from '../support/ssf-receiver.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const ORDERS = 'https://orders.example.test';
const BILLING = 'https://billing.example.test';
const PLAIN = 'https://plain.example.test';
const TOKEN_CLAIMS_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/token-claims-change';
const PUSH = 'urn:ietf:rfc:8935';

interface Issued {
  status: number;
  body: Record<string, unknown>;
  claims: JWTPayload;
  refreshToken: string | undefined;
}

function issued(answer: { status: number; body: Record<string, unknown> }): Issued {
  if (answer.status !== 200) throw new Error(`the token endpoint answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return {
    status: answer.status,
    body: answer.body,
    claims: decodeJwt(String(answer.body.access_token)),
    refreshToken: answer.body.refresh_token as string | undefined,
  };
}

describe.each(backends)('access tokens for APIs with RBAC, on $name', (backend) => {
  let kl: RunningKeyline;
  let app: TestClient;
  let machine: TestClient;
  let unentitled: TestClient;
  let console: TestClient;
  let member: TestUser;
  let push: RecordingReceiver;

  beforeAll(async () => {
    push = await startRecordingReceiver();
    push.answerWith(202);
  });
  afterAll(() => push.stop());

  useKeyline(backend, {
    config: {
      resources: {
        [ORDERS]: { scopes: ['orders:read', 'orders:write', 'orders:delete'], rbac: true },
        [PLAIN]: { scopes: ['read'] },
      },
      outbound: { allowPrivateNetworks: true },
      jobs: { pollInterval: 0.2, retryBase: 0.2, retryMax: 1 },
    },
  }, async (ready) => {
    kl = ready.kl;
    // The second API comes from the store, made an RBAC API by the CLI.
    const added = await runCli(kl, ['resources', 'add', BILLING, '--scopes', 'billing:read billing:write', '--rbac']);
    if (added.code !== 0) throw new Error(`resources add --rbac failed: ${added.stderr}`);

    app = await registerTestClient(kl, {
      resources: [ORDERS, BILLING, PLAIN],
      scopes: 'openid offline_access orders:read orders:write orders:delete billing:read billing:write read',
    });
    const machineSettings = {
      grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], resources: [ORDERS], scopes: 'orders:read orders:write',
    };
    machine = await registerTestClient(kl, machineSettings);
    unentitled = await registerTestClient(kl, machineSettings);
    console = await registerTestClient(kl, {
      resources: [adminApiIndicator(kl.url)], scopes: 'openid keyline:admin keyline:admin:read keyline:helpdesk',
    });

    await addGroup(kl, 'staff');
    await addGroup(kl, 'staff-eu', 'staff');
    await addRole(kl, 'order-reader', ORDERS, ['orders:read']);
    await addRole(kl, 'order-writer', ORDERS, ['orders:read', 'orders:write']);
    await addRole(kl, 'order-robot', ORDERS, ['orders:read']);
    await addRole(kl, 'billing-admin', BILLING, ['billing:read', 'billing:write']);
    await grant(kl, 'order-reader', { group: 'staff' });
    await grant(kl, 'order-robot', { client: machine.clientId });

    member = await createTestUser(kl);
    await addMember(kl, 'staff-eu', member.id);
    await grant(kl, 'billing-admin', { user: member.id });
  });

  async function personToken(user: TestUser, resource: string, scope: string, client = app): Promise<Issued> {
    const signedIn = await signIn(kl, client, user, { scope, params: { prompt: 'consent', resource } });
    return issued(await exchangeCode(kl, client, signedIn));
  }

  function refresh(refreshToken: string): Promise<Issued> {
    return tokenRequest(kl, app, { grant_type: 'refresh_token', refresh_token: refreshToken }).then(issued);
  }

  test('a person in a child group gets the parent group\'s role: its permissions, and no scope it does not permit', async () => {
    const token = await personToken(member, ORDERS, 'openid offline_access orders:read orders:write orders:delete');
    expect(token.body.scope).toBe('orders:read');
    expect(token.claims).toMatchObject({ aud: ORDERS, sub: member.id, scope: 'orders:read', roles: ['order-reader'], permissions: ['orders:read'] });
  });

  test('a token for one API never carries another API\'s roles or permissions', async () => {
    const orders = await personToken(member, ORDERS, 'openid orders:read billing:read billing:write');
    expect(orders.claims).toMatchObject({ scope: 'orders:read', roles: ['order-reader'], permissions: ['orders:read'] });
    const billing = await personToken(member, BILLING, 'openid billing:read billing:write orders:read');
    expect(billing.claims).toMatchObject({
      aud: BILLING, scope: 'billing:read billing:write', roles: ['billing-admin'], permissions: ['billing:read', 'billing:write'],
    });
  });

  test('a person without a role on the API gets a token without its scopes, not an error', async () => {
    const stranger = await createTestUser(kl);
    const token = await personToken(stranger, ORDERS, 'openid offline_access orders:read');
    expect(token.body.scope).toBe('');
    expect(token.claims).not.toHaveProperty('scope');
    expect(token.claims).toMatchObject({ roles: [], permissions: [] });
  });

  test('client_credentials: the scope is what was asked and the client\'s roles permit; the token says which', async () => {
    const token = issued(await tokenRequest(kl, machine, { grant_type: 'client_credentials', scope: 'orders:read orders:write' }));
    expect(token.body.scope).toBe('orders:read');
    expect(token.claims).toMatchObject({
      aud: ORDERS, sub: machine.clientId, client_id: machine.clientId, scope: 'orders:read', roles: ['order-robot'], permissions: ['orders:read'],
    });
  });

  test('client_credentials asking only for what no role permits is invalid_scope, in JSON whatever Accept says', async () => {
    for (const [client, scope] of [[machine, 'orders:write'], [unentitled, 'orders:read orders:write']] as const) {
      const response = await fetch(`${kl.url}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'text/html',
          authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toMatchObject({ error: 'invalid_scope' });
    }
  });

  test('client_credentials asking for no scope gets a token with none: nothing was asked, nothing refused', async () => {
    const token = issued(await tokenRequest(kl, unentitled, { grant_type: 'client_credentials' }));
    expect(token.claims).not.toHaveProperty('scope');
    expect(token.claims).toMatchObject({ aud: ORDERS, roles: [], permissions: [] });
  });

  test('the device flow: the token for the device carries what the person\'s roles permit', async () => {
    const tv = await registerTestClient(kl, {
      grantTypes: [DEVICE_CODE_GRANT, 'refresh_token'], redirectUris: [], postLogoutRedirectUris: [],
      resources: [ORDERS], scopes: 'openid offline_access orders:read orders:write',
    });
    const started = await fetch(`${kl.url}/device/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${tv.clientId}:${tv.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ scope: 'openid offline_access orders:read orders:write', resource: ORDERS }).toString(),
    });
    const device = await started.json() as DeviceAuthorization;
    await approveDevice(kl, device.user_code, member);
    const token = issued(await pollForTokens(kl, tv, device.device_code));
    expect(token.claims).toMatchObject({ aud: ORDERS, sub: member.id, scope: 'orders:read', roles: ['order-reader'], permissions: ['orders:read'] });
  });

  test('without RBAC the API\'s tokens are as before: the registered scope, no roles or permissions', async () => {
    const token = await personToken(member, PLAIN, 'openid read');
    expect(token.claims).toMatchObject({ aud: PLAIN, scope: 'read' });
    expect(token.claims).not.toHaveProperty('roles');
    expect(token.claims).not.toHaveProperty('permissions');
  });

  test('revoking a role: the next refresh lacks it and the scope it gave, receivers get token-claims-change; granting it back returns both', async () => {
    const created = await (await registerReceiver(kl)).call('POST', '/ssf/streams', {
      delivery: { method: PUSH, endpoint_url: `${push.url}/events` }, events_requested: [TOKEN_CLAIMS_CHANGE],
    });
    expect(created.status).toBe(201);
    const writer = await createTestUser(kl);
    await grant(kl, 'order-writer', { user: writer.id });
    const first = await personToken(writer, ORDERS, 'openid offline_access orders:read orders:write');
    expect(first.claims).toMatchObject({ scope: 'orders:read orders:write', roles: ['order-writer'], permissions: ['orders:read', 'orders:write'] });

    await revoke(kl, 'order-writer', { user: writer.id });
    const after = await refresh(first.refreshToken!);
    expect(after.body.scope).toBe('');
    expect(after.claims).not.toHaveProperty('scope');
    expect(after.claims).toMatchObject({ roles: [], permissions: [] });
    const signal = await eventually('a token-claims-change SET about the person', () => pushedSets(push)
      .map((entry) => eventAbout(entry.claims, TOKEN_CLAIMS_CHANGE, writer.id))
      .find((event) => event && JSON.stringify((event.claims as { roles: string[] }).roles) === '[]'));
    expect(signal.claims).toEqual({ groups: [], roles: [] });

    // Asking for the scope again by name at the refresh gives nothing back.
    const askedAgain = issued(await tokenRequest(kl, app, { grant_type: 'refresh_token', refresh_token: after.refreshToken!, scope: 'orders:read orders:write' }));
    expect(askedAgain.claims).toMatchObject({ roles: [], permissions: [] });
    expect(askedAgain.claims).not.toHaveProperty('scope');

    await grant(kl, 'order-writer', { user: writer.id });
    const again = await refresh(askedAgain.refreshToken!);
    expect(again.claims).toMatchObject({ scope: 'orders:read orders:write', roles: ['order-writer'], permissions: ['orders:read', 'orders:write'] });
  });

  test('introspection returns an RBAC token\'s claims as issued, with active, even after the role is gone', async () => {
    const holder = await createTestUser(kl);
    await grant(kl, 'order-writer', { user: holder.id });
    const token = await personToken(holder, ORDERS, 'openid orders:write');
    const asIssued = { active: true, scope: 'orders:write', roles: ['order-writer'], permissions: ['orders:write'] };
    expect(await introspect(kl, app, String(token.body.access_token))).toMatchObject(asIssued);
    await revoke(kl, 'order-writer', { user: holder.id });
    expect(await introspect(kl, app, String(token.body.access_token))).toMatchObject(asIssued);
  });

  test('the admin API: a person\'s token carries what their built-in roles permit; a client\'s keeps its registered scopes', async () => {
    const viewer = await createTestUser(kl);
    await grant(kl, 'keyline-viewer', { user: viewer.id });
    const all = 'openid keyline:admin keyline:admin:read keyline:helpdesk';
    const viewed = await personToken(viewer, adminApiIndicator(kl.url), all, console);
    expect(viewed.claims).toMatchObject({ scope: 'keyline:admin:read', roles: ['keyline-viewer'], permissions: ['keyline:admin:read'] });

    // Introspection judges a token for Keyline's own API by its client's registration as it is now: demoted, both scope and permissions follow.
    const demoted = await runCli(kl, ['clients', 'update', console.clientId, '--scopes', 'openid keyline:helpdesk']);
    expect(demoted.code).toBe(0);
    expect(await introspect(kl, console, String(viewed.body.access_token))).toMatchObject({ active: true, scope: '', permissions: [], roles: ['keyline-viewer'] });
    expect((await runCli(kl, ['clients', 'update', console.clientId, '--scopes', all])).code).toBe(0);

    const nobody = await personToken(await createTestUser(kl), adminApiIndicator(kl.url), all, console);
    expect(nobody.claims).not.toHaveProperty('scope');
    expect(nobody.claims).toMatchObject({ roles: [], permissions: [] });

    const automation = await registerTestClient(kl, {
      grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], resources: [adminApiIndicator(kl.url)], scopes: 'keyline:admin',
    });
    const machineToken = issued(await tokenRequest(kl, automation, { grant_type: 'client_credentials', scope: 'keyline:admin' }));
    expect(machineToken.claims.scope).toBe('keyline:admin');
    expect(machineToken.claims).not.toHaveProperty('roles');
    expect(machineToken.claims).not.toHaveProperty('permissions');
  });
});
