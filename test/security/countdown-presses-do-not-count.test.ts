import { chromium } from 'playwright-core';
import { allBackends, sqliteBackend } from '../support/backends.ts';
import { CHROMIUM, CHROMIUM_ARGS, describeWithBrowser } from '../support/chromium.ts';
import { startOnBackend } from '../support/keyline-fixture.ts';
import { stopMongoTestServer } from '../support/mongo-server.ts';
import { authorizeUrl, createTestUser, openLoginPage, pkcePair, registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import type { RunningKeyline } from '../support/start-keyline.ts';

/**
 * Issue 19, item 21: a press of "Sign in" during the countdown is refused without a password check,
 * so it must not count toward the per-(account, IP) lock; only checked attempts do. And the page
 * that counts down disables the button while it does.
 */
const backends = await allBackends();
afterAll(stopMongoTestServer);

const LOCK_AFTER = 3;
const MAX_BACKOFF = 60;
const from = (ip: string) => ({ 'x-forwarded-for': ip });

describe.each(backends)('presses during a countdown on $name', (backend) => {
  let kl: RunningKeyline;
  let cleanup: () => Promise<void>;
  let client: TestClient;

  beforeAll(async () => {
    ({ kl, cleanup } = await startOnBackend(backend, {
      config: {
        proxy: true,
        login: { lockAfterFailures: LOCK_AFTER, lockout: 900, backoffAfterFailures: 1, maxBackoff: MAX_BACKOFF, ipMaxFailures: 1000 },
      },
    }));
    client = await registerTestClient(kl);
  });
  afterAll(async () => {
    await kl.stop();
    await cleanup();
  });

  test('twenty presses during the countdown are refused, none is checked, and none brings the lock nearer', async () => {
    const owner = await createTestUser(kl);
    const ip = '198.51.100.21';
    const first = await openLoginPage(kl, client, from(ip));
    // One checked failure starts the account's countdown (backoff from the first failure on).
    expect((await first.browser.postForm(first.action, { email: owner.email, password: 'wrong', csrf: first.csrf }, from(ip))).status).toBe(401);

    const pages = await Promise.all(Array.from({ length: 20 }, () => openLoginPage(kl, client, from(ip))));
    const presses = await Promise.all(pages.map((page) => page.browser.postForm(page.action, { email: owner.email, password: 'wrong', csrf: page.csrf }, from(ip))));
    const refused = presses.filter((press) => press.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    // Each refusal names the countdown's wait, never the 15-minute lock.
    for (const press of refused) expect(Number(press.headers.get('retry-after'))).toBeLessThanOrEqual(MAX_BACKOFF);
    const events = await kl.store.audit.query({ email: owner.email, limit: 10_000 });
    expect(events.filter((event) => event.type === 'account.locked')).toEqual([]);
    // Only checked attempts are failures of a password: the first one, and any press that fell after a countdown ended.
    const checked = presses.filter((press) => press.status === 401).length + 1;
    expect(checked).toBeLessThan(LOCK_AFTER);
    const throttled = events.filter((event) => event.type === 'login.failed' && event.data.reason === 'throttled');
    expect(throttled.length).toBe(refused.length);
    expect(throttled.every((event) => event.data.throttle === 'backoff')).toBe(true);
  });

  test('the page that counts down marks its Sign in button to be disabled until the wait is over', async () => {
    const owner = await createTestUser(kl);
    const ip = '198.51.100.22';
    const first = await openLoginPage(kl, client, from(ip));
    await first.browser.postForm(first.action, { email: owner.email, password: 'wrong', csrf: first.csrf }, from(ip));
    const page = await openLoginPage(kl, client, from(ip));
    const throttled = await page.browser.postForm(page.action, { email: owner.email, password: 'wrong', csrf: page.csrf }, from(ip));
    expect(throttled.status).toBe(429);
    const wait = Number(throttled.headers.get('retry-after'));
    expect(throttled.text).toMatch(new RegExp(`<button class="kl-button kl-primary" type="submit" data-countdown-disables="${wait}"`));
    // The script that counts down (and re-enables it) is served with the page's nonce; nothing inline.
    const script = /<script src="(\/assets\/keyline\.js\?v=[^"]+)" nonce="[^"]+"/.exec(throttled.text)?.[1];
    expect(script).toBeDefined();
    const served = await fetch(new URL(script!, kl.url));
    expect(served.status).toBe(200);
    expect(await served.text()).toContain('data-countdown-disables');
  });
});

describeWithBrowser('the Sign in button during a countdown, in a real browser', () => {
  test('is disabled while the page counts down, and enabled again when the wait is over', async () => {
    // One failure from an IP blocks it for the (short) failure window: a countdown of a few seconds.
    const { kl, cleanup } = await startOnBackend(sqliteBackend, {
      config: { login: { ipMaxFailures: 1, failureWindow: 4, backoffAfterFailures: 50, lockAfterFailures: 50 } },
    });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const client = await registerTestClient(kl);
      const owner = await createTestUser(kl);
      const page = await (await browser.newContext()).newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => { if (/Content Security Policy/i.test(message.text())) problems.push(message.text()); });
      await page.goto(authorizeUrl(kl, client, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }));
      const signIn = page.locator('button.kl-primary[type=submit]');
      for (let press = 0; press < 2; press += 1) {
        await page.fill('#email', owner.email);
        await page.fill('#password', 'not the password');
        await Promise.all([page.waitForLoadState('load'), signIn.click()]);
      }
      await page.locator('[data-countdown]').waitFor();
      expect(await signIn.isDisabled()).toBe(true);
      await page.locator('button.kl-primary[type=submit]:enabled').waitFor({ timeout: 15_000 });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
      await kl.stop();
      await cleanup();
    }
  }, 60_000);
});
