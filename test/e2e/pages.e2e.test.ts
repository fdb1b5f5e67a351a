import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { migrateMongo } from '../../src/store/mongo/mongo-indexes.ts';
import { CHROMIUM, CHROMIUM_ARGS, describeWithBrowser } from '../support/chromium.ts';
import { startFerretDb, uniqueDatabaseUrl } from '../support/mongo-server.ts';
import { authorizeUrl, createTestUser, pkcePair, registerTestClient, type TestClient, type TestUser } from '../support/oidc-flow.ts';
import { checkAtEveryWidth, checkInEveryLanguage, expectClean, expectCleanInEveryLanguage, pickLanguage, SCREENSHOTS } from '../support/page-checks.ts';
import { startKeyline, temporaryDirectory, type RunningKeyline } from '../support/start-keyline.ts';
import { pollForTokens, registerDeviceClient, startDeviceAuthorization } from '../support/device-flow.ts';

/**
 * Every page Keyline shows a person, in a real browser at 320, 390 and 1280 px in light and in dark,
 * and every page a GET shows again in every other shipped language at 390 px (switched with the
 * page's own language picker): no sideways scrolling (WCAG 1.4.10), no axe-core violations, no CSP
 * violation, Arabic right-to-left, and a screenshot of each for people to look at (in
 * E2E_SCREENSHOT_DIR, or test-results/pages; the path is printed). One browser and one page are
 * reused throughout; the states a form's POST draws (a refused login, a countdown) are checked in English.
 */
/** The little of the DOM these tests read inside the page (the project compiles without DOM types). */
interface Browserish {
  document: { activeElement: { id: string } | null; querySelector(selector: string): { textContent: string | null } | null };
}

const BRAND_LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 32" width="120" height="32"><rect width="32" height="32" rx="8" fill="#0f766e"/><text x="40" y="23" font-family="sans-serif" font-size="20" font-weight="700" fill="#064e3b">Acme ID</text></svg>';
// The same mark for dark pages: the dark green name would be unreadable on a dark background.
const BRAND_LOGO_DARK_SVG = BRAND_LOGO_SVG.replace('fill="#064e3b"', 'fill="#ecfdf5"');
const LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><rect width="48" height="48" rx="10" fill="#0f766e"/><path d="M14 34V14h6l8 12V14h6v20h-6l-8-12v12z" fill="#fff"/></svg>';

/** The client application: its callback, its logo and a home page, on its own origin. */
async function startClientApp(): Promise<{ origin: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/logo.svg') response.writeHead(200, { 'content-type': 'image/svg+xml' }).end(LOGO_SVG);
    else response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html lang="en"><title>Acme Notes</title><h1>Acme Notes</h1></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describeWithBrowser('every page at 320, 390 and 1280 px, light and dark, and in every language', () => {
  let kl: RunningKeyline;
  let app: Awaited<ReturnType<typeof startClientApp>>;
  let client: TestClient;
  let user: TestUser;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const cspViolations: string[] = [];

  async function instrument(target: Page): Promise<void> {
    await target.addInitScript({ content: `document.addEventListener('securitypolicyviolation', (event) => {
      console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline'));
    });` });
    target.on('console', (message) => {
      if (/CSP violation|Content Security Policy/.test(message.text())) cspViolations.push(`${target.url()}: ${message.text()}`);
    });
  }

  async function openLogin(params: Record<string, string> = {}): Promise<void> {
    const { challenge } = pkcePair();
    await page.goto(authorizeUrl(kl, client, { code_challenge: challenge, code_challenge_method: 'S256', state: 'st', ...params }));
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    console.log(`e2e: page screenshots in ${SCREENSHOTS}`);
    kl = await startKeyline({
      config: {
        login: { backoffAfterFailures: 1000, lockAfterFailures: 3, lockout: 90, ipMaxFailures: 1000 },
        branding: { links: { privacy: 'https://example.com/privacy', terms: 'https://example.com/terms', support: 'mailto:help@example.com' } },
      },
    });
    app = await startClientApp();
    client = await registerTestClient(kl, {
      name: 'Acme Notes',
      redirectUris: [`${app.origin}/callback`],
      postLogoutRedirectUris: [],
      logoUri: `${app.origin}/logo.svg`,
      clientUri: app.origin,
      policyUri: `${app.origin}/privacy`,
      tosUri: `${app.origin}/terms`,
    });
    user = await createTestUser(kl);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext();
    page = await context.newPage();
    await instrument(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (app ? app.server.close(() => resolve()) : resolve()));
    await kl?.stop();
  });

  test('the start page, with the getting-started panel on a local server', async () => {
    const response = await page.goto(`${kl.url}/`);
    expect(response?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Welcome to Keyline');
    expect(await page.locator('.kl-dev').innerText()).toContain('npm run example');
    expectClean(await checkAtEveryWidth(page, 'start'));
    expectCleanInEveryLanguage(await checkInEveryLanguage(page, 'start'));
  }, 60_000);

  test('the login page', async () => {
    await openLogin();
    expect(await page.locator('h1').textContent()).toBe('Sign in');
    expectClean(await checkAtEveryWidth(page, 'login'));
    expectCleanInEveryLanguage(await checkInEveryLanguage(page, 'login'));
  }, 60_000);

  test('the language picker keeps the sign-in in progress, and the next page stays in the chosen language', async () => {
    const fresh = await context.browser()!.newContext();
    const person = await fresh.newPage();
    await instrument(person);
    await person.goto(authorizeUrl(kl, client, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256', state: 'st' }));
    const interaction = new URL(person.url()).pathname;
    expect(interaction).toMatch(/^\/interaction\/[\w-]+$/);
    await person.fill('#email', user.email);
    await pickLanguage(person, 'de');
    expect(new URL(person.url()).pathname).toBe(interaction);
    expect(await person.locator('h1').textContent()).toBe('Anmelden');
    expect(await person.locator('#kl-language-select').inputValue()).toBe('de');
    await person.fill('#email', user.email);
    await person.fill('#password', user.password);
    await Promise.all([person.waitForURL(/\/interaction\//), person.click('button.kl-primary')]);
    await person.getByRole('button', { name: 'Erlauben' }).waitFor();
    expect(await person.locator('html').getAttribute('lang')).toBe('de');
    const consent = new URL(person.url()).pathname;

    // Arabic on a phone: right-to-left, nothing wider than the screen, the picker named in Arabic.
    await person.setViewportSize({ width: 320, height: 800 });
    await pickLanguage(person, 'ar');
    expect(new URL(person.url()).pathname).toBe(consent);
    expect(await person.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await person.evaluate<string>("getComputedStyle(document.querySelector('.kl-card')).direction")).toBe('rtl');
    expect(await person.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth')).toBe(false);
    expect(await person.getByLabel('اللغة').inputValue()).toBe('ar');
    // Deny, in Arabic: no grant is left behind for the consent test below.
    await Promise.all([person.waitForURL(`${app.origin}/callback**`), person.getByRole('button', { name: 'رفض' }).click()]);
    await fresh.close();
  }, 60_000);

  test('the show-password toggle reveals and hides the password, and the field is a password field again on submit', async () => {
    await openLogin();
    await page.fill('#password', 'visible for a moment');
    const toggle = page.locator('[data-password-toggle]');
    await toggle.click();
    expect(await page.getAttribute('#password', 'type')).toBe('text');
    expect(await toggle.getAttribute('aria-label')).toBe('Hide password');
    await toggle.click();
    expect(await page.getAttribute('#password', 'type')).toBe('password');
    await toggle.click();
    await page.fill('#email', user.email);
    await Promise.all([page.waitForLoadState('load'), page.evaluate("document.querySelector('form').requestSubmit()")]);
    expect(await page.getAttribute('#password', 'type')).toBe('password');
  }, 60_000);

  test('a failed login: the error is tied to the fields, announced, and has the focus', async () => {
    await openLogin();
    await page.fill('#email', user.email);
    await page.fill('#password', 'not the password');
    await Promise.all([page.waitForURL(/\/interaction\//), page.click('button.kl-primary')]);
    await page.waitForFunction(() => (globalThis as unknown as Browserish).document.activeElement?.id === 'login-error');
    expect(await page.getAttribute('#login-error', 'role')).toBe('alert');
    expect(await page.getAttribute('#email', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#password', 'aria-describedby')).toBe('login-error');
    expectClean(await checkAtEveryWidth(page, 'login-error'));
  }, 60_000);

  test('the throttled page counts down', async () => {
    await openLogin();
    for (let attempt = 0; attempt < 4; attempt += 1) {
      await page.fill('#email', 'throttled@example.test');
      await page.fill('#password', 'wrong guess here');
      await Promise.all([page.waitForLoadState('load'), page.click('button.kl-primary')]);
    }
    const counter = page.locator('[data-countdown]');
    const first = await counter.textContent();
    expect(first).toMatch(/^in \d+ seconds$/);
    await page.waitForFunction(
      (shown) => (globalThis as unknown as Browserish).document.querySelector('[data-countdown]')?.textContent !== shown,
      first,
    );
    expect(await counter.textContent()).toMatch(/^in \d+ seconds?$/);
    expectClean(await checkAtEveryWidth(page, 'throttled'));
  }, 60_000);

  test('consent shows the client\'s logo, website and policies', async () => {
    await openLogin();
    await page.fill('#email', user.email);
    await page.fill('#password', user.password);
    await Promise.all([page.waitForURL(/\/interaction\//), page.click('button.kl-primary')]);
    expect(await page.locator('h1').textContent()).toBe('Acme Notes wants to use your Keyline account');
    expect(await page.getAttribute('.kl-client-logo', 'src')).toBe(`${app.origin}/logo.svg`);
    expect(await page.evaluate<number>("document.querySelector('.kl-client-logo').naturalWidth")).toBeGreaterThan(0);
    expect(await page.getAttribute(`a[href="${app.origin}/privacy"]`, 'href')).toBeTruthy();
    expect(await page.getAttribute(`a[href="${app.origin}/terms"]`, 'href')).toBeTruthy();
    expectClean(await checkAtEveryWidth(page, 'consent'));
    expectCleanInEveryLanguage(await checkInEveryLanguage(page, 'consent'));
    await Promise.all([page.waitForURL(`${app.origin}/callback**`), page.getByRole('button', { name: 'Allow' }).click()]);
  }, 60_000);

  test('prompt=login asks a signed-in person to confirm it is them, with a way out', async () => {
    await openLogin({ prompt: 'login' });
    expect(await page.locator('h1').textContent()).toBe('Confirm it\'s you');
    expect(await page.locator('.kl-account').innerText()).toContain(user.email);
    expectClean(await checkAtEveryWidth(page, 'reauthenticate'));
    expectCleanInEveryLanguage(await checkInEveryLanguage(page, 'reauthenticate'));
    await page.getByRole('link', { name: 'Not you? Use another account' }).click();
    expect(await page.locator('h1').textContent()).toBe('Sign in');
    expect(await page.inputValue('#email')).toBe('');
  }, 60_000);

  test('"Stay signed in" on the logout confirmation says so and ends nothing', async () => {
    await page.goto(`${kl.url}/session/end?client_id=${client.clientId}`);
    await Promise.all([page.waitForURL(/\/session\/end\/stay/), page.getByRole('link', { name: 'Stay signed in' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('You\'re still signed in');
    expect(await page.getByRole('link', { name: 'Continue to Acme Notes' }).getAttribute('href')).toBe(app.origin);
    expectClean(await checkAtEveryWidth(page, 'still-signed-in'));
    expectCleanInEveryLanguage(await checkInEveryLanguage(page, 'still-signed-in'));
  }, 60_000);

  test('the logout confirmation, then the signed-out page offering to sign in again', async () => {
    await page.goto(`${kl.url}/session/end?client_id=${client.clientId}`);
    expect(await page.locator('h1').textContent()).toBe('Sign out?');
    expectClean(await checkAtEveryWidth(page, 'logout'));
    expectCleanInEveryLanguage(await checkInEveryLanguage(page, 'logout'));
    await Promise.all([page.waitForURL(/\/session\/end\/success/), page.getByRole('button', { name: 'Sign out' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('You\'re signed out');
    expect(await page.getByRole('link', { name: 'Sign in to Acme Notes again' }).getAttribute('href')).toBe(app.origin);
    expectClean(await checkAtEveryWidth(page, 'signed-out'));
    expectCleanInEveryLanguage(await checkInEveryLanguage(page, 'signed-out'));
  }, 60_000);

  test.each([
    ['error-unknown-client', () => `${kl.url}/auth?client_id=no-such-client&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fevil.example%2Fcb`, 400, 'This app isn\'t registered'],
    ['error-bad-redirect-uri', () => authorizeUrl(kl, client, { redirect_uri: 'https://evil.example/cb', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }), 400, 'This sign-in link doesn\'t work'],
    ['error-expired', () => `${kl.url}/interaction/no-such-interaction`, 400, 'This sign-in page has expired'],
    ['error-not-found', () => `${kl.url}/no/such/page`, 404, 'Page not found'],
    ['error-malformed-state', () => authorizeUrl(kl, client, { state: 'bad\r\nstate', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }), 400, 'This sign-in link is broken'],
    ['error-logout-without-client', () => `${kl.url}/session/end?post_logout_redirect_uri=${encodeURIComponent('https://evil.example/bye')}`, 400, 'This sign-out link is incomplete'],
  ])('the %s page', async (name, url, status, heading) => {
    const fresh = await context.browser()!.newContext();
    const errorPage = await fresh.newPage();
    await instrument(errorPage);
    const response = await errorPage.goto(url());
    expect(response?.status()).toBe(status);
    expect(await errorPage.locator('h1').textContent()).toBe(heading);
    expect(await errorPage.locator('.kl-reference').innerText()).toMatch(/Reference: [\w-]+/);
    // No link or text offers the refused address (the language picker's hidden return path holds the request's own URL, which POST /language only ever sends back to Keyline).
    expect(await errorPage.locator('[href*="evil.example"], [src*="evil.example"], [action*="evil.example"]').count()).toBe(0);
    expect(await errorPage.locator('body').innerText()).not.toMatch(/evil\.example/);
    expectClean(await checkAtEveryWidth(errorPage, name));
    expectCleanInEveryLanguage(await checkInEveryLanguage(errorPage, name));
    await fresh.close();
  }, 60_000);

  test('the page for a store outage (503)', async () => {
    const ferret = await startFerretDb();
    const databaseUrl = uniqueDatabaseUrl(ferret.url);
    await migrateMongo(databaseUrl);
    const outage = await startKeyline({ store: `${databaseUrl}?maxPoolSize=1&serverSelectionTimeoutMS=1000` });
    try {
      const outageClient = await registerTestClient(outage);
      await ferret.stop();
      const outagePage = await context.newPage();
      await instrument(outagePage);
      const response = await outagePage.goto(authorizeUrl(outage, outageClient, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }));
      expect(response?.status()).toBe(503);
      expect(await outagePage.locator('h1').textContent()).toBe('Keyline is unavailable right now');
      expectClean(await checkAtEveryWidth(outagePage, 'error-unavailable'));
      await outagePage.close();
    } finally {
      await outage.stop();
      await ferret.stop({ removeData: true });
    }
  }, 90_000);

  test('a branded login page (name, logo, colours) passes the same checks', async () => {
    const theme = temporaryDirectory('keyline-brand-');
    writeFileSync(join(theme.path, 'logo.svg'), BRAND_LOGO_SVG);
    writeFileSync(join(theme.path, 'logo-dark.svg'), BRAND_LOGO_DARK_SVG);
    const branded = await startKeyline({
      config: {
        branding: {
          productName: 'Acme ID', logo: join(theme.path, 'logo.svg'), logoDark: join(theme.path, 'logo-dark.svg'),
          primaryColor: '#0f766e', backgroundColor: '#ecfdf5',
        },
      },
    });
    try {
      const brandedClient = await registerTestClient(branded, { name: 'Acme Notes' });
      const brandedPage = await context.newPage();
      await instrument(brandedPage);
      await brandedPage.goto(authorizeUrl(branded, brandedClient, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }));
      expect(await brandedPage.title()).toBe('Sign in · Acme ID');
      expect(await brandedPage.getAttribute('.kl-logo-for-light', 'alt')).toBe('Acme ID');
      expect(await brandedPage.locator('.kl-logo:visible').getAttribute('src')).toMatch(/^\/assets\/brand\/logo\.svg/);
      await brandedPage.emulateMedia({ colorScheme: 'dark' });
      expect(await brandedPage.locator('.kl-logo:visible').getAttribute('src')).toMatch(/^\/assets\/brand\/logo-dark\.svg/);
      await brandedPage.emulateMedia({ colorScheme: 'light' });
      expectClean(await checkAtEveryWidth(brandedPage, 'branded-login'));
      await brandedPage.close();
    } finally {
      await branded.stop();
      theme.remove();
    }
  }, 60_000);

  test('branding.theme: light keeps the pages light when the browser prefers dark', async () => {
    const pinned = await startKeyline({ config: { branding: { theme: 'light' } } });
    try {
      const pinnedPage = await context.newPage();
      await instrument(pinnedPage);
      await pinnedPage.goto(`${pinned.url}/no/such/page`);
      expectClean(await checkAtEveryWidth(pinnedPage, 'pinned-light'), 'light');
      await pinnedPage.close();
    } finally {
      await pinned.stop();
    }
  }, 60_000);

  test('the device flow: the user-code page (and a wrong code), the confirm step, sign-in and consent, then "return to your device"', async () => {
    const tv = await registerDeviceClient(kl, { name: 'Acme TV' });
    await kl.store.clients.update(tv.clientId, {
      ...(await kl.store.clients.find(tv.clientId))!.metadata, logo_uri: `${app.origin}/logo.svg`, client_uri: app.origin,
    });
    const device = await startDeviceAuthorization(kl, tv);
    const fresh = await context.browser()!.newContext();
    const phone = await fresh.newPage();
    await instrument(phone);

    await phone.goto(`${kl.url}/device`);
    expect(await phone.locator('h1').textContent()).toBe('Connect a device');
    expectClean(await checkAtEveryWidth(phone, 'device-code'));
    expectCleanInEveryLanguage(await checkInEveryLanguage(phone, 'device-code'));

    await phone.fill('#user_code', 'zzzz zzzb');
    await Promise.all([phone.waitForResponse((answer) => answer.request().method() === 'POST'), phone.click('button.kl-primary')]);
    await phone.waitForFunction(() => (globalThis as unknown as Browserish).document.activeElement?.id === 'code-error');
    expect(await phone.locator('#code-error').innerText()).toBe('That code isn\'t right. Check the code on your device and try again.');
    expect(await phone.getAttribute('#user_code', 'aria-invalid')).toBe('true');
    expectClean(await checkAtEveryWidth(phone, 'device-code-error'));

    await phone.fill('#user_code', device.user_code.toLowerCase());
    await Promise.all([phone.waitForResponse((answer) => answer.request().method() === 'POST'), phone.click('button.kl-primary')]);
    await phone.locator('.kl-code').waitFor();
    expect(await phone.locator('h1').textContent()).toBe('Connect Acme TV to your Keyline account?');
    expect(await phone.locator('.kl-code').textContent()).toBe(device.user_code);
    expect(await phone.evaluate<number>("document.querySelector('.kl-client-logo').naturalWidth")).toBeGreaterThan(0);
    expectClean(await checkAtEveryWidth(phone, 'device-confirm'));

    await Promise.all([phone.waitForURL(/\/interaction\//), phone.getByRole('button', { name: 'Continue' }).click()]);
    await phone.fill('#email', user.email);
    await phone.fill('#password', user.password);
    await Promise.all([phone.waitForResponse((answer) => answer.request().method() === 'POST'), phone.click('button.kl-primary')]);
    await phone.getByRole('heading', { name: 'Acme TV wants to use your Keyline account' }).waitFor();
    await Promise.all([phone.waitForURL(/\/device\//), phone.getByRole('button', { name: 'Allow' }).click()]);
    expect(await phone.locator('h1').textContent()).toBe('Your device is connected');
    expectClean(await checkAtEveryWidth(phone, 'device-done'));
    expectCleanInEveryLanguage(await checkInEveryLanguage(phone, 'device-done'));
    expect((await pollForTokens(kl, tv, device.device_code)).status).toBe(200);

    // A second code, from the link the device shows: straight to the confirm step, then "Cancel".
    const second = await startDeviceAuthorization(kl, tv);
    await phone.goto(second.verification_uri_complete);
    expect(await phone.locator('.kl-code').textContent()).toBe(second.user_code);
    expectCleanInEveryLanguage(await checkInEveryLanguage(phone, 'device-confirm'));
    await Promise.all([phone.waitForResponse((answer) => answer.request().method() === 'POST'), phone.getByRole('button', { name: 'Cancel' }).click()]);
    await phone.getByRole('heading', { name: 'Device not connected' }).waitFor();
    expectClean(await checkAtEveryWidth(phone, 'device-cancelled'));
    expect((await pollForTokens(kl, tv, second.device_code)).body.error).toBe('access_denied');
    await fresh.close();
  }, 90_000);

  test('too many wrong user codes: the page says when to try again and counts down', async () => {
    const fresh = await context.browser()!.newContext();
    const phone = await fresh.newPage();
    await instrument(phone);
    await phone.goto(`${kl.url}/device`);
    for (let attempt = 0; attempt < 12 && !await phone.locator('[data-countdown]').count(); attempt += 1) {
      await phone.fill('#user_code', 'ZZZZ-ZZZC');
      await Promise.all([phone.waitForResponse((answer) => answer.request().method() === 'POST'), phone.click('button.kl-primary')]);
      await phone.locator('#code-error').waitFor();
    }
    expect(await phone.locator('#code-error').innerText()).toMatch(/^Too many wrong codes\. You can try again in \d+ (seconds|minutes)\.$/);
    expectClean(await checkAtEveryWidth(phone, 'device-code-throttled'));
    await fresh.close();
  }, 60_000);

  test('no page broke its Content-Security-Policy', () => {
    expect(cspViolations).toEqual([]);
  });
});
