import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, describeWithBrowser } from '../support/chromium.ts';
import { addDirectoryUpstream, ALICE } from '../support/directory-sign-in.ts';
import { authorizeUrl, pkcePair, registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import { checkAtEveryWidth, checkInEveryLanguage, expectClean, expectCleanInEveryLanguage, SCREENSHOTS } from '../support/page-checks.ts';
import { startSlapd, type TestDirectory } from '../support/slapd.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import { AdminSession } from '../support/admin-api.ts';

/**
 * The pages the directory sign-in adds, in a real browser at 320, 390 and 1280 px, light and dark,
 * and in every language: the address-first login page (home-realm discovery), the directory page,
 * and its refusals (wrong password, directory down). No sideways scrolling, no axe-core violation.
 */
describeWithBrowser('the directory pages at every width and in every language', () => {
  let kl: RunningKeyline;
  let directory: TestDirectory;
  let client: TestClient;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    directory = await startSlapd({ people: [ALICE] });
    kl = await startKeyline({ config: { login: { backoffAfterFailures: 1000, lockAfterFailures: 1000, ipMaxFailures: 1000 } } });
    await addDirectoryUpstream(await AdminSession.open(kl), directory, { domains: ['acme.test'] });
    client = await registerTestClient(kl, { name: 'Acme Notes', upstreams: ['acme'] });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await (await browser.newContext()).newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await kl?.stop();
    await directory?.remove();
  });

  test('the address-first login page, then the directory page it leads to', async () => {
    await page.goto(authorizeUrl(kl, client, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256', state: 'st' }));
    expect(await page.locator('#password').count()).toBe(0);
    expectClean(await checkAtEveryWidth(page, 'login-identifier-first'));
    expectCleanInEveryLanguage(await checkInEveryLanguage(page, 'login-identifier-first'));
    await page.fill('#email', ALICE.mail);
    await Promise.all([page.waitForURL(/\/upstream\/acme/), page.click('button.kl-primary')]);
    expect(await page.locator('h1').textContent()).toBe('Sign in with your Acme directory account');
    expect(await page.locator('#username').inputValue()).toBe(ALICE.mail);
    expectClean(await checkAtEveryWidth(page, 'directory-login'));
    expectCleanInEveryLanguage(await checkInEveryLanguage(page, 'directory-login'));
  }, 120_000);

  test('a wrong password, and the directory down', async () => {
    await page.fill('#username', ALICE.mail);
    await page.fill('#password', 'not it');
    await Promise.all([page.waitForLoadState('load'), page.click('button.kl-primary')]);
    expect(await page.locator('#login-error').textContent()).toContain('The user name or password is not right.');
    expectClean(await checkAtEveryWidth(page, 'directory-login-refused'));
    await directory.stop();
    try {
      await page.fill('#password', ALICE.password);
      await Promise.all([page.waitForLoadState('load'), page.click('button.kl-primary')]);
      expect(await page.locator('#login-error').textContent()).toContain('cannot be reached right now');
      expectClean(await checkAtEveryWidth(page, 'directory-login-unavailable'));
    } finally {
      await directory.start();
    }
  }, 120_000);
});
