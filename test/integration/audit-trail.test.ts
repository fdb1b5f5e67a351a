import { allBackends } from '../support/backends.ts';
import { auditTampering } from '../support/audit-tampering.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { basicAuth, createTestUser, exchangeCode, registerTestClient, signIn, tokenRequest, type TestClient } from '../support/oidc-flow.ts';
import { hiddenField } from '../support/browser-like-client.ts';
import { runCli } from '../support/run-cli.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import type { AuditEventRecord } from '../../src/store/store.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const API = 'https://api.example.test';
const config = { resources: { [API]: { scopes: ['read'] } } };

async function events(kl: RunningKeyline, type?: string): Promise<AuditEventRecord[]> {
  return (await kl.store.audit.query({ type, limit: 10_000 })).reverse();
}

async function verify(kl: RunningKeyline) {
  return runCli(kl, ['audit', 'verify']);
}

function machineClient(kl: RunningKeyline): Promise<TestClient> {
  return registerTestClient(kl, { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], scopes: 'read', resources: [API] });
}

describe.each(backends)('audit trail on $name', (backend) => {
  let kl: RunningKeyline;
  let location: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ location, cleanup } = await backend.create());
    kl = await startKeyline({ store: location, config });
  });
  afterAll(async () => {
    await kl.stop({ keepStore: true });
    await cleanup();
  });

  test('every CLI admin action is recorded with who, what and before/after, and never a secret', async () => {
    const password = 'a long enough password 1';
    expect((await runCli(kl, ['users', 'add', 'Audit@Example.test', '--name', 'Audie'], password)).code).toBe(0);
    expect((await runCli(kl, ['users', 'disable', 'audit@example.test'])).code).toBe(0);
    expect((await runCli(kl, ['users', 'enable', 'audit@example.test'])).code).toBe(0);
    expect((await runCli(kl, ['users', 'set-password', 'audit@example.test'], 'another long password 2')).code).toBe(0);
    expect((await runCli(kl, ['sessions', 'revoke', 'audit@example.test', '--yes'])).code).toBe(0);
    const cliJson = async <T>(args: string[]): Promise<T> => {
      const result = await runCli(kl, args);
      expect(result.stderr).toBe('');
      return JSON.parse(result.stdout) as T;
    };
    const created = await cliJson<{ client_id: string; client_secret: string }>(['clients', 'add', '--name', 'Audited', '--grant-types', 'client_credentials']);
    const rotated = await cliJson<{ client_secret: string }>(['clients', 'rotate-secret', created.client_id]);
    expect((await runCli(kl, ['clients', 'remove', created.client_id, '--yes'])).code).toBe(0);
    expect((await runCli(kl, ['keys', 'rotate', '--alg', 'ES256'])).code).toBe(0);

    const recorded = (await events(kl)).filter((event) => event.actor.startsWith('cli'));
    expect(recorded.map((event) => event.type)).toEqual([
      'user.created', 'user.disabled', 'user.enabled', 'user.password_changed', 'sessions.revoked',
      'client.created', 'client.secret_rotated', 'client.removed', 'keys.rotated',
    ]);
    expect(recorded.every((event) => /^cli(:.+)?$/.test(event.actor))).toBe(true);
    const disabled = recorded.find((event) => event.type === 'user.disabled')!;
    expect(disabled).toMatchObject({ email: 'audit@example.test', data: { before: { disabled: false }, after: { disabled: true } } });
    expect(recorded.find((event) => event.type === 'client.created')).toMatchObject({ clientId: created.client_id, data: { after: { client_name: 'Audited' } } });
    const everything = JSON.stringify(recorded);
    for (const secret of [password, 'another long password 2', created.client_secret, rotated.client_secret, 'sha256:']) {
      expect(everything).not.toContain(secret);
    }

    const listed = await runCli(kl, ['audit', 'list', '--user', 'audit@example.test', '--json']);
    expect((JSON.parse(listed.stdout) as AuditEventRecord[]).map((event) => event.type))
      .toEqual(['user.created', 'user.disabled', 'user.enabled', 'user.password_changed', 'sessions.revoked']);
    const byType = JSON.parse((await runCli(kl, ['audit', 'list', '--type', 'user.disabled', '--json'])).stdout) as AuditEventRecord[];
    expect(byType).toHaveLength(1);
    const future = await runCli(kl, ['audit', 'list', '--since', '2999-01-01', '--json']);
    expect(JSON.parse(future.stdout)).toEqual([]);
    const badDate = await runCli(kl, ['audit', 'list', '--since', 'yesterday-ish']);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toMatch(/--since: "yesterday-ish" is not a date/);
  }, 120_000); // fifteen CLI processes, one after another

  test('tokens issued per grant type, reuse, revocation and logout are recorded with ids, never token values', async () => {
    const client = await registerTestClient(kl);
    const machine = await machineClient(kl);
    const user = await createTestUser(kl);
    const before = (await events(kl)).length;

    const issued = await tokenRequest(kl, machine, { grant_type: 'client_credentials', scope: 'read' });
    const signedIn = await signIn(kl, client, user, { scope: 'openid offline_access', params: { prompt: 'consent' } });
    const initial = await exchangeCode(kl, client, signedIn);
    const refreshed = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: String(initial.body.refresh_token) });
    expect(refreshed.status).toBe(200);
    // Once its successor is used, the first token presented again is reuse (not a retry inside the window).
    const refreshedAgain = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: String(refreshed.body.refresh_token) });
    expect(refreshedAgain.status).toBe(200);
    const reuse = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: String(initial.body.refresh_token) });
    expect(reuse.status).toBe(400);
    const secondSignIn = await signIn(kl, client, user, { scope: 'openid offline_access', params: { prompt: 'consent' } });
    const second = await exchangeCode(kl, client, secondSignIn);
    const codeReuse = await exchangeCode(kl, client, secondSignIn);
    expect(codeReuse.status).toBe(400);
    const third = await exchangeCode(kl, client, await signIn(kl, client, user, { scope: 'openid offline_access', params: { prompt: 'consent' } }));
    const revoked = await fetch(`${kl.url}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(client) },
      body: new URLSearchParams({ token: String(third.body.refresh_token) }).toString(),
    });
    expect(revoked.status).toBe(200);

    const logoutBrowser = (await signIn(kl, client, user)).browser;
    const confirm = await logoutBrowser.get(`${kl.url}/session/end`);
    await logoutBrowser.postForm(`${kl.url}/session/end/confirm`, { xsrf: hiddenField(confirm.text, 'xsrf')!, logout: 'yes' });

    const recorded = (await events(kl)).slice(before);
    const issuedTypes = recorded.filter((event) => event.type === 'token.issued').map((event) => event.data.grantType);
    expect(issuedTypes).toEqual(['client_credentials', 'authorization_code', 'refresh_token', 'refresh_token', 'authorization_code', 'authorization_code']);
    const machineEvent = recorded.find((event) => event.type === 'token.issued' && event.data.grantType === 'client_credentials')!;
    expect(machineEvent).toMatchObject({ actor: `client:${machine.clientId}`, clientId: machine.clientId });
    expect(machineEvent.data.accessTokenFingerprint).toMatch(/^[\w-]{22}$/);
    const codeEvent = recorded.find((event) => event.type === 'token.issued' && event.data.grantType === 'authorization_code')!;
    expect(codeEvent.accountId).toBe(user.id);
    expect(recorded.filter((event) => event.type === 'token.reuse_detected').map((event) => event.data.reason))
      .toEqual(['refresh token already used', 'authorization code already consumed']);
    expect(recorded.filter((event) => event.type === 'grant.revoked').length).toBeGreaterThanOrEqual(2);
    expect(recorded.find((event) => event.type === 'token.revoked')).toMatchObject({ clientId: client.clientId, data: { tokenType: 'refresh_token' } });
    expect(recorded.find((event) => event.type === 'logout')).toMatchObject({ accountId: user.id });

    const values = [issued.body.access_token, initial.body.access_token, initial.body.refresh_token, initial.body.id_token,
      refreshed.body.refresh_token, refreshedAgain.body.refresh_token, second.body.refresh_token, third.body.refresh_token, signedIn.code].map(String);
    const stored = JSON.stringify(recorded);
    const logged = kl.logs.join('');
    for (const value of values) {
      expect(stored).not.toContain(value);
      expect(logged).not.toContain(value);
    }
    expect(logged).toMatch(/"event":"token\.issued".*"grantType":"client_credentials"/);
    expect(logged).toMatch(/"event":"token\.reuse_detected"/);
  });

  test('the sealed chain verifies; editing or deleting one event makes verify fail at that event', async () => {
    await kl.keyline.auditSealer.tick();
    await kl.keyline.auditSealer.checkpoint();
    const ok = await verify(kl);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/^audit chain ok: \d+ events, seq 1–\d+, \d+ signed checkpoints\n$/);

    const tamper = auditTampering(location);
    await tamper.editData(3, { before: { disabled: true }, after: { disabled: true } });
    const edited = await verify(kl);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toMatch(/^keyline: audit chain broken at seq 3 \(user\.enabled, .*\): its content does not match its hash \(the event was edited\)\n$/);
  });

  test('deleting one event is named as the missing seq', async () => {
    const { location: fresh, cleanup: drop } = await backend.create();
    const other = await startKeyline({ store: fresh, config });
    try {
      for (const name of ['one', 'two', 'three', 'four']) await other.keyline.securityEvents.record({ type: 'system.test', actor: 'system', data: { name } });
      await other.keyline.auditSealer.tick();
      expect((await verify(other)).code).toBe(0);
      await auditTampering(fresh).remove(2);
      const result = await verify(other);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^keyline: audit chain broken at seq 2: event seq 2 is missing \(deleted\): the chain jumps from seq 1 to 3\n$/);

      // Truncating the newest events is caught by the signed head.
      await other.keyline.auditSealer.checkpoint();
      await auditTampering(fresh).remove(4);
      expect((await verify(other)).stderr).toMatch(/seq 2/);
    } finally {
      await other.stop({ keepStore: true });
      await drop();
    }
  });

  test('several Keyline nodes appending at once and sealing at once build one unbroken chain', async () => {
    const { location: shared, cleanup: drop } = await backend.create();
    const nodes = await Promise.all([1, 2, 3].map(() => startKeyline({ store: shared, config })));
    try {
      const machine = await machineClient(nodes[0]!);
      const before = (await events(nodes[0]!)).length;
      const rounds = Array.from({ length: 4 }, async () => {
        await Promise.all(nodes.flatMap((node) => Array.from({ length: 10 }, () => tokenRequest(node, machine, { grant_type: 'client_credentials', scope: 'read' }))));
        await Promise.all(nodes.map((node) => node.keyline.auditSealer.tick()));
      });
      await Promise.all(rounds);
      // Whichever node holds the sealer lease links the rest on its next round.
      for (let round = 0; round < 10 && (await nodes[0]!.store.audit.unsealed(1)).length > 0; round += 1) {
        await Promise.all(nodes.map((node) => node.keyline.auditSealer.tick()));
      }

      const all = await events(nodes[0]!);
      expect(all.length - before).toBe(120);
      expect(all.every((event) => event.seq !== null)).toBe(true);
      expect(all.map((event) => event.seq).sort((a, b) => a! - b!)).toEqual(Array.from({ length: all.length }, (_, index) => index + 1));
      const result = await verify(nodes[2]!);
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain(`${all.length} events`);
    } finally {
      for (const node of nodes) await node.stop({ keepStore: true });
      await drop();
    }
  });
});

// Only SQLite can be made to refuse appends from outside (its table dropped); MongoDB would
// create a dropped collection again on the next insert.
describe('when the audit trail cannot be written (SQLite)', () => {
  test('the change fails: no token is handed out and the CLI changes nothing', async () => {
    const node = await startKeyline({ config });
    try {
      const machine = await machineClient(node);
      await auditTampering(node.config.store).dropAuditTable();
      const refused = await tokenRequest(node, machine, { grant_type: 'client_credentials', scope: 'read' });
      expect(refused.status).toBe(503);
      expect(refused.body.error).toBe('temporarily_unavailable');
      expect(refused.body.access_token).toBeUndefined();

      const cli = await runCli(node, ['users', 'add', 'never@example.test'], 'a long enough password 1');
      expect(cli.code).toBe(1);
      expect(cli.stderr.trim().split('\n')).toHaveLength(1);
      expect(await node.store.accounts.findByEmail('never@example.test')).toBeUndefined();
    } finally {
      await node.stop();
    }
  });
});

describe('audit retention', () => {
  test('pruning past audit.retentionDays keeps the chain verifiable from its new start, and a deletion after it still shows', async () => {
    let now = Date.now();
    const kl = await startKeyline({ config: { ...config, audit: { retentionDays: 30 } }, clock: () => now });
    try {
      for (const name of ['old1', 'old2', 'old3']) await runCli(kl, ['users', 'add', `${name}@example.test`], 'a long enough password 1');
      // These events were stamped by the CLI's real clock; move the server's clock 31 days on.
      await kl.keyline.auditSealer.tick();
      now += 31 * 24 * 3600 * 1000;
      await kl.keyline.securityEvents.record({ type: 'system.test', actor: 'system' });
      await kl.keyline.securityEvents.record({ type: 'system.test', actor: 'system' });
      await kl.keyline.auditSealer.tick();
      expect((await kl.store.audit.sealedFrom(1, 10)).map((event) => event.seq)).toEqual([4, 5]);

      const ok = await verify(kl);
      expect(ok.stderr).toBe('');
      expect(ok.stdout).toMatch(/audit chain ok: 2 events, seq 4–5/);

      await auditTampering(kl.config.store).remove(4);
      expect((await verify(kl)).stderr).toMatch(/audit chain broken at seq 4: event seq 4 is missing/);
    } finally {
      await kl.stop();
    }
  });
});
