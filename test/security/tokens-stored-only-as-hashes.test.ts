import { hash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { allBackends } from '../support/backends.ts';
import { approveDevice, pollForTokens, registerDeviceClient, startDeviceAuthorization } from '../support/device-flow.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { createTestUser, exchangeCode, registerTestClient, signIn, tokenRequest } from '../support/oidc-flow.ts';
import { runCli } from '../support/run-cli.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';
import { withMongoDatabase } from '../../src/store/mongo/mongo-connection.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

/** Everything the store holds, as text: the SQLite files byte for byte (WAL included), or every document of every collection. */
async function rawStore(kl: RunningKeyline): Promise<string> {
  const location = kl.config.store;
  if (location.startsWith('mongodb')) {
    return withMongoDatabase(location, async (db) => {
      const parts: string[] = [];
      for (const { name } of await db.listCollections().toArray()) parts.push(JSON.stringify(await db.collection(name).find({}).toArray()));
      return parts.join('\n');
    });
  }
  return [location, `${location}-wal`].filter(existsSync).map((file) => readFileSync(file).toString('latin1')).join('\n');
}

describe.each(backends)('tokens at rest on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ kl, cleanup } = await startOnBackend(backend, { config: { registration: { dynamic: true } } }));
  });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
  });

  test('no refresh token, access token, code, device code, user code, initial or registration access token can be read from the store, and each still works', async () => {
    const client = await registerTestClient(kl);
    const user = await createTestUser(kl);
    const signedIn = await signIn(kl, client, user, { scope: 'openid offline_access', params: { prompt: 'consent' } });
    const storedWithCode = await rawStore(kl);
    expect({ code: storedWithCode.includes(signedIn.code) }).toEqual({ code: false });
    const tokens = await exchangeCode(kl, client, signedIn);
    expect(tokens.status).toBe(200);
    const refreshToken = tokens.body.refresh_token as string;
    const accessToken = tokens.body.access_token as string;

    const created = await runCli(kl, ['registration', 'token', 'create']);
    const initialAccessToken = (JSON.parse(created.stdout) as { initial_access_token: string }).initial_access_token;
    const registered = await fetch(`${kl.url}/reg`, {
      method: 'POST', headers: { authorization: `Bearer ${initialAccessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['https://app.example.test/cb'] }),
    });
    expect(registered.status).toBe(201);
    const { registration_access_token: registrationAccessToken, registration_client_uri: registrationUri } = await registered.json() as { registration_access_token: string; registration_client_uri: string };

    const device = await registerDeviceClient(kl);
    const deviceAuthorization = await startDeviceAuthorization(kl, device);

    const stored = await rawStore(kl);
    const values = {
      refreshToken, accessToken, initialAccessToken, registrationAccessToken,
      deviceCode: deviceAuthorization.device_code, userCode: deviceAuthorization.user_code, userCodeNormalized: deviceAuthorization.user_code.replace(/-/g, ''),
    };
    for (const [name, value] of Object.entries(values)) expect({ name, inStore: stored.includes(value!) }).toEqual({ name, inStore: false });

    expect((await fetch(`${kl.url}/me`, { headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(200);
    expect((await fetch(registrationUri, { headers: { authorization: `Bearer ${registrationAccessToken}` } })).status).toBe(200);
    const another = await fetch(`${kl.url}/reg`, {
      method: 'POST', headers: { authorization: `Bearer ${initialAccessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['https://app.example.test/cb'] }),
    });
    expect(another.status).toBe(201);
    expect((await approveDevice(kl, deviceAuthorization.user_code, user)).status).toBe(200);
    expect((await pollForTokens(kl, device, deviceAuthorization.device_code)).status).toBe(200);
    const refreshed = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: refreshToken });
    expect(refreshed.status).toBe(200);
    expect({ rotated: (await rawStore(kl)).includes(refreshed.body.refresh_token as string) }).toEqual({ rotated: false });
  });

  /** A refresh token as the previous version stored it: under its value, naming its value. */
  async function refreshTokenStoredByValue() {
    const client = await registerTestClient(kl);
    const user = await createTestUser(kl);
    const tokens = await exchangeCode(kl, client, await signIn(kl, client, user, { scope: 'openid offline_access', params: { prompt: 'consent' } }));
    const value = tokens.body.refresh_token as string;
    const key = hash('sha256', value, 'base64url');
    const [record] = (await kl.store.oidc.listByModel('RefreshToken')).filter((stored) => stored.id === key);
    await kl.store.oidc.upsert('RefreshToken', value, { ...record!.payload, jti: value }, 3600);
    await kl.store.oidc.destroy('RefreshToken', key);
    return { client, value };
  }

  test('a refresh token stored under its value before the upgrade still works, and `keyline migrate` rewrites it under its hash', async () => {
    const { client, value } = await refreshTokenStoredByValue();
    expect({ legacy: (await rawStore(kl)).includes(value) }).toEqual({ legacy: true });

    const migrated = await runCli(kl, ['migrate']);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(/tokens at rest: [1-9]\d* stored under their value/);
    expect({ legacy: (await kl.store.oidc.listByModel('RefreshToken')).some((stored) => stored.id === value) }).toEqual({ legacy: false });
    const refreshed = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: value });
    expect(refreshed.status).toBe(200);
  });

  test('before `keyline migrate`, a refresh token stored under its value still works once, and its reuse is still detected', async () => {
    const { client, value } = await refreshTokenStoredByValue();

    const first = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: value });
    expect(first.status).toBe(200);
    // Its successor is used, so presenting the old token again is reuse (not a retry inside the window).
    const second = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token as string });
    expect(second.status).toBe(200);
    const replay = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: value });
    expect(replay.body.error).toBe('invalid_grant');
    // The replay revoked the grant: the newest token is dead too.
    const newest = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: second.body.refresh_token as string });
    expect(newest.body.error).toBe('invalid_grant');
  });

  test('what the store holds for a token cannot be presented in its place', async () => {
    const client = await registerTestClient(kl);
    const user = await createTestUser(kl);
    const signedIn = await signIn(kl, client, user, { scope: 'openid offline_access', params: { prompt: 'consent' } });
    const tokens = await exchangeCode(kl, client, signedIn);
    const key = hash('sha256', tokens.body.refresh_token as string, 'base64url');
    expect({ keyStored: (await rawStore(kl)).includes(key) }).toEqual({ keyStored: true });
    for (const presented of [key, `stored:${key}`]) {
      const refused = await tokenRequest(kl, client, { grant_type: 'refresh_token', refresh_token: presented });
      expect(refused.body.error).toBe('invalid_grant');
    }
  });
});
