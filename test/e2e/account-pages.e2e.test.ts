import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, describeWithBrowser } from '../support/chromium.ts';
import { authorizeUrl, createTestUser, pkcePair, registerTestClient, signIn, type TestClient, type TestUser } from '../support/oidc-flow.ts';
import { checkAtEveryWidth, expectClean, SCREENSHOTS, watchForProblems } from '../support/page-checks.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import { checkAccountSectionsInEveryLanguage, SHIPPED_LOCALES } from '../support/account-sections-in-every-language.ts';

/**
 * The account page's sections in a real browser: profile, password, sessions and connected apps,
 * each at 320, 390 and 1280 px through axe-core, with no CSP violation or script error; and each
 * section in every shipped language at one width.
 */
describeWithBrowser('the account pages in a real browser', () => {
  let kl: RunningKeyline;
  let app: Server;
  let appOrigin: string;
  let client: TestClient;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let user: TestUser;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    kl = await startKeyline();
    app = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html lang="en"><title>App</title><h1>Signed in</h1></html>');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    client = await registerTestClient(kl, { name: 'Acme Notes', redirectUris: [`${appOrigin}/callback`] });
    user = await createTestUser(kl);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' });
    page = await context.newPage();
    await watchForProblems(page, problems);

    // Sign in to an app first (consenting), so the account has a connected app and a session.
    const { challenge } = pkcePair();
    await page.goto(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256', scope: 'openid email profile' }));
    await page.fill('#email', user.email);
    await page.fill('#password', user.password);
    await Promise.all([page.waitForLoadState('load'), page.click('button.kl-primary[type=submit]')]);
    await Promise.all([page.waitForURL(`${appOrigin}/callback**`), page.getByRole('button', { name: 'Allow' }).click()]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
    await kl?.stop();
  });

  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
  });

  test('the profile, with a refused value marked on its field', async () => {
    await page.goto(`${kl.url}/account`);
    expect(await page.locator('h1').textContent()).toBe('Profile');
    expectClean(await checkAtEveryWidth(page, 'account-profile'));
    await page.fill('#birthdate', '2999-01-01');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/account/profile"] button[type=submit]')]);
    expect(await page.locator('#birthdate').getAttribute('aria-invalid')).toBe('true');
    expectClean(await checkAtEveryWidth(page, 'account-profile-error'));
  }, 60_000);

  test('the password section, and its answer to a wrong current password', async () => {
    await page.goto(`${kl.url}/account/password`);
    expect(await page.locator('h1').textContent()).toBe('Password');
    expectClean(await checkAtEveryWidth(page, 'account-password'));
    await page.fill('#current', 'not the password');
    await page.fill('#password', 'a long new passphrase');
    await Promise.all([page.waitForLoadState('load'), page.click('form[action="/account/password"] button[type=submit]')]);
    expect(await page.locator('[role=alert]').textContent()).toContain('The current password is not right.');
    expectClean(await checkAtEveryWidth(page, 'account-password-error'));
  }, 60_000);

  test('the sessions section names this device', async () => {
    await page.goto(`${kl.url}/account/sessions`);
    expect(await page.locator('.kl-factor-name').first().textContent()).toBe('Chrome on Linux');
    expect(await page.locator('.kl-tag').first().textContent()).toBe('This device');
    expectClean(await checkAtEveryWidth(page, 'account-sessions'));
  }, 60_000);

  test('every section passes axe in every shipped language', async () => {
    expect(SHIPPED_LOCALES.length).toBeGreaterThan(1);
    // A session elsewhere, remembered, so the sessions section shows its "End session" button too.
    await signIn(kl, client, user, { remember: true });
    const found = await checkAccountSectionsInEveryLanguage(page, kl.url, ['', '/password', '/sessions', '/apps'], 'account');
    expect(found).toEqual({});
  }, 120_000);

  test('the connected apps section lists the app, and removing access empties it', async () => {
    await page.goto(`${kl.url}/account/apps`);
    expect(await page.locator('.kl-factor-name').allTextContents()).toEqual(['Acme Notes']);
    expectClean(await checkAtEveryWidth(page, 'account-apps'));
    await Promise.all([page.waitForURL(/done=removed/), page.getByRole('button', { name: 'Remove access: Acme Notes' }).click()]);
    expect(await page.locator('[role=status]').textContent()).toContain('Access removed.');
    expectClean(await checkAtEveryWidth(page, 'account-apps-empty'));
  }, 60_000);
});
