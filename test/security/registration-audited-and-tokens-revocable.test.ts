import { AdminSession } from '../support/admin-api.ts';
import { allBackends } from '../support/backends.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { runCli } from '../support/run-cli.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const webApp = { redirect_uris: ['https://app.example.test/callback'], client_name: 'Audited App' };

describe.each(backends)('registration in the audit trail, and initial access tokens an operator can list and revoke, on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ kl, cleanup } = await startOnBackend(backend, { config: { registration: { dynamic: true } } }));
  });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
  });

  async function createToken(...options: string[]): Promise<string> {
    const created = await runCli(kl, ['registration', 'token', 'create', ...options]);
    expect(created.code).toBe(0);
    return (JSON.parse(created.stdout) as { initial_access_token: string }).initial_access_token;
  }
  const register = (token: string) => fetch(`${kl.url}/reg`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(webApp),
  });
  const events = async (type: string) => kl.store.audit.query({ type, limit: 50 });

  test('creating an initial access token, and /reg creates, updates and deletes are audited, with no token or secret in the trail', async () => {
    const token = await createToken('--max-uses', '3');
    const [tokenCreated] = await events('registration_token.created');
    expect(tokenCreated).toMatchObject({ actor: expect.stringMatching(/^cli/), data: { id: expect.any(String), maxUses: 3, expiresAt: expect.any(String) } });

    const created = await register(token);
    expect(created.status).toBe(201);
    const client = await created.json() as { client_id: string; client_secret: string; registration_access_token: string; registration_client_uri: string };
    const manage = (bearer: string, init: RequestInit = {}) => fetch(client.registration_client_uri, {
      ...init, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    });
    const updated = await manage(client.registration_access_token, { method: 'PUT', body: JSON.stringify({ ...webApp, client_id: client.client_id, client_name: 'Renamed' }) });
    expect(updated.status).toBe(200);
    const { registration_access_token: rotated } = await updated.json() as { registration_access_token: string };
    expect((await manage(rotated, { method: 'DELETE' })).status).toBe(204);

    const trail = (await kl.store.audit.query({ limit: 100 })).filter((event) => event.clientId === client.client_id).reverse();
    expect(trail.map((event) => event.type)).toEqual(['client.created', 'client.updated', 'client.removed']);
    expect(trail[0]).toMatchObject({ actor: `client:${client.client_id}`, data: { via: 'dynamic registration', initialAccessToken: tokenCreated!.data.id } });
    expect(trail[1]).toMatchObject({ data: { before: { client_name: 'Audited App' }, after: { client_name: 'Renamed' } } });
    for (const event of trail) expect(event.requestId).toBeTruthy();
    const everything = JSON.stringify(await kl.store.audit.query({ limit: 500 }));
    for (const secret of [token, client.client_secret, client.registration_access_token, rotated]) expect(everything).not.toContain(secret);
  });

  test('`registration token list` shows live tokens without their value; `revoke` ends one at once, and is audited', async () => {
    const keep = await createToken('--expires', '1h');
    const revoke = await createToken('--max-uses', '2');
    const listed = await runCli(kl, ['registration', 'token', 'list']);
    expect(listed.code).toBe(0);
    for (const value of [keep, revoke]) expect(listed.stdout).not.toContain(value);
    const tokens = JSON.parse(listed.stdout) as Array<{ id: string; expires_at: string; max_uses: number | null }>;
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    expect(tokens.filter((token) => token.max_uses === 2)).toHaveLength(1);
    const target = tokens.find((token) => token.max_uses === 2)!;

    const revoked = await runCli(kl, ['registration', 'token', 'revoke', target.id]);
    expect({ code: revoked.code, stderr: revoked.stderr }).toEqual({ code: 0, stderr: '' });
    expect((await register(revoke)).status).toBe(401);
    expect((await register(keep)).status).toBe(201);
    const [event] = await events('registration_token.revoked');
    expect(event).toMatchObject({ actor: expect.stringMatching(/^cli/), data: { id: target.id } });
    const after = JSON.parse((await runCli(kl, ['registration', 'token', 'list'])).stdout) as Array<{ id: string }>;
    expect(after.map((token) => token.id)).not.toContain(target.id);

    const unknown = await runCli(kl, ['registration', 'token', 'revoke', 'no-such-token']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no initial access token/);
  });

  test('the admin API creates, lists and revokes initial access tokens the same way, audited as the calling client', async () => {
    const admin = await AdminSession.open(kl);
    const created = await admin.expect(201, 'POST', '/registration-tokens', { expiresInSeconds: 3600, maxUses: 1 });
    expect(created).toMatchObject({ id: expect.any(String), token: expect.any(String), maxUses: 1, uses: 0 });
    const listed = await admin.call('GET', '/registration-tokens?limit=100');
    expect(JSON.stringify(listed.body)).not.toContain(created.token);
    expect(listed.body.items).toContainEqual(expect.objectContaining({ id: created.id, maxUses: 1, uses: 0 }));
    expect((await register(created.token)).status).toBe(201);
    expect((await admin.call('GET', '/registration-tokens?limit=100')).body.items).toContainEqual(expect.objectContaining({ id: created.id, uses: 1 }));
    await admin.expect(204, 'DELETE', `/registration-tokens/${created.id}`);
    expect((await register(created.token)).status).toBe(401);
    expect((await admin.call('DELETE', `/registration-tokens/${created.id}`)).status).toBe(404);
    const [revoked] = await events('registration_token.revoked');
    expect(revoked).toMatchObject({ actor: `client:${admin.client.clientId}`, data: { id: created.id } });
  });
});
