import { allBackends } from '../support/backends.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { attemptLogin, createTestUser, registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import { runCli } from '../support/run-cli.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

const backends = await allBackends();
afterAll(stopMongoTestServer);

const LOCK_AFTER = 3;
const BACKOFF_AFTER = 4;
const MAX_BACKOFF = 4;
const IP_MAX = 8;

/** Speaks for a client at this IP (Keyline trusts X-Forwarded-For here, as behind a proxy). */
const from = (ip: string) => ({ 'x-forwarded-for': ip });

describe.each(backends)('login throttling rules on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  let client: TestClient;

  beforeAll(async () => {
    ({ kl, cleanup } = await startOnBackend(backend, {
      config: {
        proxy: true,
        login: { lockAfterFailures: LOCK_AFTER, lockout: 900, backoffAfterFailures: BACKOFF_AFTER, maxBackoff: MAX_BACKOFF, ipMaxFailures: IP_MAX },
      },
    }));
    client = await registerTestClient(kl);
  });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
  });

  async function fail(email: string, ip: string) {
    return attemptLogin(kl, client, email, 'not the password at all', from(ip));
  }

  test('an attacker locks themself out, not the owner, who still signs in from another IP', async () => {
    const owner = await createTestUser(kl);
    for (let i = 0; i < LOCK_AFTER; i += 1) expect((await fail(owner.email, '198.51.100.1')).status).toBe(401);

    const attacker = await attemptLogin(kl, client, owner.email, owner.password, from('198.51.100.1'));
    expect(attacker.status).toBe(429);
    expect(Number(attacker.headers.get('retry-after'))).toBeGreaterThan(MAX_BACKOFF);
    expect((await attemptLogin(kl, client, owner.email, owner.password, from('203.0.113.7'))).status).toBe(303);
    // The attacker's lock outlives the owner's success.
    expect((await attemptLogin(kl, client, owner.email, owner.password, from('198.51.100.1'))).status).toBe(429);
  });

  test('failures from many IPs slow one account down with a capped delay, and never lock it', async () => {
    const owner = await createTestUser(kl);
    const waits: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const answer = await fail(owner.email, `192.0.2.${i + 10}`);
      if (answer.status === 429) {
        waits.push(Number(answer.headers.get('retry-after')));
        expect(answer.text).toContain('Too many failed sign-in attempts');
      } else {
        expect(answer.status).toBe(401);
      }
    }
    expect(waits.length).toBeGreaterThan(0);
    expect(Math.max(...waits)).toBeLessThanOrEqual(MAX_BACKOFF);
    // The delay is the only obstacle: once the owner waits it out, the right password works.
    let owners = await attemptLogin(kl, client, owner.email, owner.password, from('192.0.2.200'));
    if (owners.status === 429) {
      const wait = Number(owners.headers.get('retry-after'));
      expect(wait).toBeLessThanOrEqual(MAX_BACKOFF);
      await new Promise((resolve) => setTimeout(resolve, (wait + 0.3) * 1000));
      owners = await attemptLogin(kl, client, owner.email, owner.password, from('192.0.2.200'));
    }
    expect(owners.status).toBe(303);
  });

  test('one IP spraying many accounts is blocked, whatever the account', async () => {
    const sprayer = '198.51.100.66';
    for (let i = 0; i < IP_MAX; i += 1) expect((await fail(`victim${i}@example.test`, sprayer)).status).toBe(401);
    const bystander = await createTestUser(kl);
    expect((await attemptLogin(kl, client, bystander.email, bystander.password, from(sprayer))).status).toBe(429);
    expect((await attemptLogin(kl, client, bystander.email, bystander.password, from('203.0.113.99'))).status).toBe(303);
  });

  test('successes give their IP attempt back, so many users behind one NAT are not blocked', async () => {
    const office = '203.0.113.50';
    for (let i = 0; i < IP_MAX * 2; i += 1) {
      const colleague = await createTestUser(kl);
      expect((await attemptLogin(kl, client, colleague.email, colleague.password, from(office))).status).toBe(303);
    }
  });

  test('a locked unknown email answers exactly like a locked real one', async () => {
    const real = await createTestUser(kl);
    for (const email of [real.email, 'nobody-at-all@example.test']) {
      for (let i = 0; i < LOCK_AFTER; i += 1) expect((await fail(email, '198.51.100.9')).status).toBe(401);
    }
    const locked = await fail(real.email, '198.51.100.9');
    const ghost = await fail('nobody-at-all@example.test', '198.51.100.9');
    expect([locked.status, ghost.status]).toEqual([429, 429]);
    for (const answer of [locked, ghost]) expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(MAX_BACKOFF);
    const page = (html: string) => html.replace(/nonce="[^"]+"/g, '').replace(/(value|data-csrf)="[^"]*"/g, '').replace(/\/interaction\/[\w-]+\//g, '');
    expect(page(ghost.text)).toBe(page(locked.text));
  });

  test.each([
    ['users unlock', (email: string) => ['users', 'unlock', email], ''],
    ['users set-password', (email: string) => ['users', 'set-password', email], 'a fresh passphrase for you'],
  ])('`keyline %s` lifts the lock for every IP', async (_name, command, stdin) => {
    const owner = await createTestUser(kl);
    for (let i = 0; i <= LOCK_AFTER; i += 1) await fail(owner.email, '198.51.100.77');
    expect((await attemptLogin(kl, client, owner.email, owner.password, from('198.51.100.77'))).status).toBe(429);

    const cli = await runCli(kl, command(owner.email), stdin);
    expect(cli.code).toBe(0);
    const password = stdin || owner.password;
    expect((await attemptLogin(kl, client, owner.email, password, from('198.51.100.77'))).status).toBe(303);
  });

  test('`keyline users enable` lifts the lock too', async () => {
    const owner = await createTestUser(kl);
    for (let i = 0; i <= LOCK_AFTER; i += 1) await fail(owner.email, '198.51.100.78');
    expect((await runCli(kl, ['users', 'disable', owner.email])).code).toBe(0);
    expect((await runCli(kl, ['users', 'enable', owner.email])).code).toBe(0);
    expect((await attemptLogin(kl, client, owner.email, owner.password, from('198.51.100.78'))).status).toBe(303);
  });
});
