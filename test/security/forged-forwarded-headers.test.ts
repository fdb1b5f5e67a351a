import { allBackends, sqliteBackend } from '../support/backends.ts';
import { startOnBackend, useKeyline } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { attemptLogin, createTestUser, type TestClient } from '../support/oidc-flow.ts';
import { enterUserCode } from '../support/device-flow.ts';
import { BrowserLikeClient } from '../support/browser-like-client.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const IP_MAX = 4;
const USER_CODE_ATTEMPTS = 3;
/** The address the (one, trusted) proxy saw and appended; everything left of it the client wrote. */
const CLIENT = '203.0.113.9';
const forged = (index: number, client = CLIENT) => ({ 'x-forwarded-for': `198.51.100.${index}, ${client}` });

async function auditIps(kl: RunningKeyline, email: string): Promise<Array<string | null>> {
  const events = await kl.store.audit.query({ email, type: 'login.failed', limit: 50 });
  return events.map((event) => event.ip);
}

describe.each(backends)('a client behind the proxy cannot choose its address on $name', (backend) => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(backend, {
    config: {
      proxy: true,
      login: { ipMaxFailures: IP_MAX, lockAfterFailures: 100, backoffAfterFailures: 100 },
      device: { userCodeAttempts: USER_CODE_ATTEMPTS },
    },
  }, (ready) => { ({ kl, client } = ready); });

  test('a forged leftmost X-Forwarded-For entry does not reset the IP spray limit', async () => {
    for (let i = 0; i < IP_MAX; i += 1) {
      expect((await attemptLogin(kl, client, `sprayed${i}@example.test`, 'wrong password', forged(i))).status).toBe(401);
    }
    const next = await attemptLogin(kl, client, 'sprayed-next@example.test', 'wrong password', forged(200));
    expect(next.status).toBe(429);
  });

  test('concurrent guesses under as many forged addresses get no more checks than the limit', async () => {
    const client2 = '203.0.113.10';
    const answers = await Promise.all(Array.from({ length: IP_MAX * 3 }, (_, i) => (
      attemptLogin(kl, client, `concurrent${i}@example.test`, 'wrong password', forged(i, client2))
    )));
    expect(answers.filter((answer) => answer.status === 401)).toHaveLength(IP_MAX);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(IP_MAX * 2);
  });

  test('a forged entry does not reset the device user-code limit', async () => {
    const guesser = '203.0.113.11';
    for (let i = 0; i < USER_CODE_ATTEMPTS; i += 1) {
      const answer = await enterUserCode(kl, new BrowserLikeClient(), 'BCDF-GHJK', forged(i, guesser));
      expect(answer.status).not.toBe(429);
    }
    const refused = await enterUserCode(kl, new BrowserLikeClient(), 'BCDF-GHJK', forged(99, guesser));
    expect(refused.status).toBe(429);
  });

  test('IPv6 clients are limited per /64: a fresh address in the same prefix is the same client', async () => {
    for (let i = 0; i < IP_MAX; i += 1) {
      const address = `2001:db8:1:2::${(i + 1).toString(16)}`;
      expect((await attemptLogin(kl, client, `v6-${i}@example.test`, 'wrong password', { 'x-forwarded-for': address })).status).toBe(401);
    }
    const sameNetwork = await attemptLogin(kl, client, 'v6-next@example.test', 'wrong password', { 'x-forwarded-for': '2001:db8:1:2:ffff:eeee:dddd:cccc' });
    expect(sameNetwork.status).toBe(429);
    const otherNetwork = await attemptLogin(kl, client, 'v6-other@example.test', 'wrong password', { 'x-forwarded-for': '2001:db8:1:3::1' });
    expect(otherNetwork.status).toBe(401);
  });

  test('the audit trail records the proxy-given client address, never text the client wrote', async () => {
    const user = await createTestUser(kl);
    await attemptLogin(kl, client, user.email, 'wrong password', { 'x-forwarded-for': '<script>alert(1)</script>, 203.0.113.12' });
    await attemptLogin(kl, client, user.email, 'wrong password', { 'x-forwarded-for': 'not an address' });
    await attemptLogin(kl, client, user.email, 'wrong password', { 'x-forwarded-for': '::ffff:203.0.113.13' });
    const ips = await auditIps(kl, user.email);
    expect(ips.sort()).toEqual(['127.0.0.1', '203.0.113.12', '203.0.113.13']);
  });
});

describe('two trusted proxies', () => {
  let kl: RunningKeyline;
  let client: TestClient;
  useKeyline(sqliteBackend, { config: { proxy: true, trustedProxyHops: 2, login: { ipMaxFailures: 2 } } }, (ready) => { ({ kl, client } = ready); });

  test('the client is the second entry from the right, whatever comes before it', async () => {
    const through = (index: number) => ({ 'x-forwarded-for': `10.9.9.${index}, 203.0.113.20, 10.0.0.1` });
    expect((await attemptLogin(kl, client, 'a@example.test', 'wrong password', through(1))).status).toBe(401);
    expect((await attemptLogin(kl, client, 'b@example.test', 'wrong password', through(2))).status).toBe(401);
    expect((await attemptLogin(kl, client, 'c@example.test', 'wrong password', through(3))).status).toBe(429);
  });
});

describe('published URLs come from the issuer only', () => {
  let kl: RunningKeyline;
  useKeyline(sqliteBackend, { config: { proxy: true } }, (ready) => { ({ kl } = ready); });

  test.each([
    ['X-Forwarded-Proto', { 'x-forwarded-proto': 'https' }],
    ['X-Forwarded-Host', { 'x-forwarded-host': 'evil.example' }],
    ['Host', { host: 'evil.example' }],
    ['all of them', { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example', host: 'evil.example' }],
  ])('a forged %s changes nothing in discovery, first request or cached', async (_name, headers) => {
    for (let round = 0; round < 2; round += 1) {
      const discovery = await (await fetch(`${kl.url}/.well-known/openid-configuration`, { headers })).json() as Record<string, unknown>;
      const urls = Object.values(discovery).filter((value): value is string => typeof value === 'string' && /^https?:/.test(value));
      expect(urls.length).toBeGreaterThan(5);
      for (const url of urls) expect(url.startsWith(`${kl.url}/`) || url === kl.url).toBe(true);
    }
  });

  test('the first discovery request, forged, does not poison what others get', async () => {
    const { kl: fresh, cleanup: done } = await startOnBackend(sqliteBackend, { config: { proxy: true } });
    try {
      await fetch(`${fresh.url}/.well-known/openid-configuration`, { headers: { 'x-forwarded-proto': 'https' } });
      const honest = await (await fetch(`${fresh.url}/.well-known/openid-configuration`)).json() as { token_endpoint: string };
      expect(honest.token_endpoint).toBe(`${fresh.url}/token`);
    } finally {
      await fresh.stop();
      await done();
    }
  });
});
