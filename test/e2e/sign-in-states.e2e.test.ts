import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, describeWithBrowser } from '../support/chromium.ts';
import { authorizeUrl, createTestUser, pkcePair, registerTestClient, type TestClient, type TestUser } from '../support/oidc-flow.ts';
import { checkAtEveryWidth, expectClean, SCREENSHOTS, watchForProblems, WIDTHS } from '../support/page-checks.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

/**
 * The sign-in pages' rhythm, states and consent, measured in a real browser at 320, 390 and 1280 px
 * (issue 21): the gaps between consecutive blocks, focus order against visual order, the Sign in
 * button during a countdown, the re-authentication page, error styles, and what consent shows.
 */

/** The smallest gap between two blocks of a sign-in page: the rhythm is 16–20 px; 2 px was the defect. */
const MIN_GAP = 12;

interface Gap { from: string; to: string; gap: number }
interface Placed { name: string; top: number; left: number; right: number }

/**
 * Gaps between consecutive visible blocks of the card (a heading, a paragraph, an alert, a button,
 * the checkbox, the divider). A label and its field are one block and are not measured apart, nor
 * "Before you decide, you can read:" and its list of links, nor the two lines of an error's reference.
 */
const MEASURE_GAPS = `(() => {
  const selector = 'h1, p, .kl-alert, .kl-account, .kl-check, .kl-client, .kl-reference, button.kl-button, button.kl-link-button, a.kl-button, ul:not(.kl-links)';
  const all = [...document.querySelector('main').querySelectorAll(selector)];
  const blocks = all.filter((element) => {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return false;
    // Measured as a whole: nothing inside another measured block.
    return !all.some((other) => other !== element && other.contains(element));
  });
  const name = (element) => element.tagName.toLowerCase() + (element.className ? '.' + String(element.className).split(' ').join('.') : '')
    + ' "' + element.textContent.trim().replace(/\\s+/g, ' ').slice(0, 30) + '"';
  const gaps = [];
  for (let index = 1; index < blocks.length; index += 1) {
    const above = blocks[index - 1].getBoundingClientRect();
    const below = blocks[index].getBoundingClientRect();
    // Side by side (Deny and Allow on a wide screen): the room between them is across, not down.
    const sideBySide = below.top < above.bottom && above.top < below.bottom;
    const gap = sideBySide ? Math.max(below.left - above.right, above.left - below.right) : below.top - above.bottom;
    gaps.push({ from: name(blocks[index - 1]), to: name(blocks[index]), gap: Math.round(gap * 10) / 10 });
  }
  return gaps;
})()`;

/** Every focusable control in `container`, in the order Tab reaches them, and where each is drawn. */
async function tabOrderAndPlaces(page: Page, container: string): Promise<{ tabOrder: string[]; visualOrder: string[] }> {
  // Start from the heading so Tab walks forward through the page from there.
  await page.evaluate(`(() => { const h = document.querySelector('h1'); h.setAttribute('tabindex', '-1'); h.focus(); })()`);
  const tabOrder: string[] = [];
  for (let press = 0; press < 30; press += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate<string | null>(`(() => {
      const active = document.activeElement;
      return active && active.closest(${JSON.stringify(container)}) ? active.textContent.trim() : (active && active.closest('footer') ? '#footer' : null);
    })()`);
    if (focused === '#footer') break;
    if (focused && !tabOrder.includes(focused)) tabOrder.push(focused);
  }
  const placed = await page.evaluate<Placed[]>(`[...document.querySelectorAll(${JSON.stringify(`${container} a, ${container} button`)})]
    .map((element) => { const box = element.getBoundingClientRect(); return { name: element.textContent.trim(), top: box.top, left: box.left, right: box.right }; })`);
  const rtl = await page.evaluate<boolean>(`document.documentElement.dir === 'rtl'`);
  // Reading order: top to bottom, then from the inline start (left in ltr, right in rtl).
  const visualOrder = placed
    .sort((a, b) => (Math.abs(a.top - b.top) > 4 ? a.top - b.top : rtl ? b.right - a.right : a.left - b.left))
    .map((control) => control.name);
  return { tabOrder, visualOrder };
}

async function gapsAtEveryWidth(page: Page): Promise<Record<number, Gap[]>> {
  const found: Record<number, Gap[]> = {};
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    found[width] = await page.evaluate<Gap[]>(MEASURE_GAPS);
  }
  return found;
}

function tooTight(found: Record<number, Gap[]>): string[] {
  return Object.entries(found).flatMap(([width, gaps]) => gaps.filter(({ gap }) => gap < MIN_GAP)
    .map(({ from, to, gap }) => `${width} px: ${gap} px from ${from} to ${to}`));
}

/** The client application on its own origin: a logo and a callback. */
async function startClientApp(): Promise<{ origin: string; server: Server }> {
  const logo = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><rect width="48" height="48" rx="10" fill="#0f766e"/></svg>';
  const server = createServer((request, response) => {
    if (request.url === '/logo.svg') response.writeHead(200, { 'content-type': 'image/svg+xml' }).end(logo);
    else response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html lang="en"><title>Acme Notes</title><h1>Acme Notes</h1></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describeWithBrowser('sign-in rhythm, states and consent', () => {
  let smtp: TestSmtpServer;
  let kl: RunningKeyline;
  let app: Awaited<ReturnType<typeof startClientApp>>;
  let client: TestClient;
  let user: TestUser;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    smtp = await startSmtpServer();
    kl = await startKeyline({
      config: {
        mail: { smtp: smtp.url },
        registration: { enabled: true },
        // One failure from an IP blocks it for the failure window: a countdown of a few seconds.
        login: { ipMaxFailures: 1, failureWindow: 5, backoffAfterFailures: 50, lockAfterFailures: 50 },
        proxy: true,
      },
    });
    app = await startClientApp();
    client = await registerTestClient(kl, {
      name: 'Acme Notes',
      redirectUris: [`${app.origin}/callback`],
      logoUri: `${app.origin}/logo.svg`,
      clientUri: app.origin,
      policyUri: `${app.origin}/privacy`,
      tosUri: `${app.origin}/terms`,
    });
    user = await createTestUser(kl);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (app ? app.server.close(() => resolve()) : resolve()));
    await kl?.stop();
    await smtp?.stop();
  });

  /** A fresh browser (its own cookies), from its own client address so one test's failures do not throttle another. */
  async function newPage(ip: string): Promise<Page> {
    const context = await browser.newContext({ locale: 'en-GB', extraHTTPHeaders: { 'x-forwarded-for': ip } });
    const page = await context.newPage();
    await watchForProblems(page, problems);
    return page;
  }

  async function openLogin(page: Page, params: Record<string, string> = {}): Promise<void> {
    await page.goto(authorizeUrl(kl, client, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256', state: 'st', ...params }));
  }

  /** Signs in as a new person, so consent is asked (nobody has agreed to anything yet). */
  async function signInAsNewPerson(page: Page): Promise<TestUser> {
    const person = await createTestUser(kl);
    await page.fill('#email', person.email);
    await page.fill('#password', person.password);
    await Promise.all([page.waitForURL(/\/interaction\//), page.click('button.kl-primary')]);
    return person;
  }

  /** A new person who signed in and allowed the app: back at the app, with a session. */
  async function signedInAtTheApp(ip: string): Promise<Page> {
    const page = await newPage(ip);
    await openLogin(page);
    await signInAsNewPerson(page);
    await Promise.all([page.waitForURL(`${app.origin}/callback**`), page.getByRole('button', { name: 'Allow' }).click()]);
    return page;
  }

  /** At every width, Tab reaches the page's actions in the order they are drawn (WCAG 1.3.2, 2.4.3). */
  async function expectFocusOrderToBeVisualOrder(page: Page): Promise<void> {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      const { tabOrder, visualOrder } = await tabOrderAndPlaces(page, '.kl-actions');
      expect({ width, tabOrder }).toEqual({ width, tabOrder: visualOrder });
      expect(tabOrder).toHaveLength(2);
    }
  }

  test('the login page keeps its rhythm: no two blocks closer than the minimum at any width', async () => {
    const page = await newPage('198.51.100.1');
    await openLogin(page);
    // The passkey section shows once the script found WebAuthn: measure the page as people see it.
    await page.locator('[data-passkey-section]:not([hidden])').waitFor();
    const found = await gapsAtEveryWidth(page);
    console.log(`sign-in-states: login gaps at 390 px: ${found[390]!.map(({ gap }) => gap).join(', ')}`);
    expect(tooTight(found)).toEqual([]);
    expectClean(await checkAtEveryWidth(page, 'sign-in-rhythm'));
  }, 60_000);

  test('the re-authentication page has no "Keep me signed in", and keeps the rhythm', async () => {
    const page = await signedInAtTheApp('198.51.100.2');
    await openLogin(page, { prompt: 'login' });
    expect(await page.locator('h1').textContent()).toBe('Confirm it\'s you');
    expect(await page.getByLabel('Keep me signed in').count()).toBe(0);
    expect(await page.locator('input[name=remember]').count()).toBe(0);
    expect(tooTight(await gapsAtEveryWidth(page))).toEqual([]);
    expectClean(await checkAtEveryWidth(page, 'sign-in-reauthenticate'));
  }, 60_000);

  test('the Sign in button is disabled (and says why) during the countdown, and enabled when it ends', async () => {
    const page = await newPage('198.51.100.3');
    // The page's clock is the test's: the wait ends when the test moves time on, not after a real wait.
    await page.clock.install();
    await openLogin(page);
    const signIn = page.locator('button.kl-primary[type=submit]');
    for (let press = 0; press < 2; press += 1) {
      await page.fill('#email', user.email);
      await page.fill('#password', 'not the password');
      await Promise.all([page.waitForLoadState('load'), signIn.click()]);
    }
    const wait = Number(await page.locator('[data-countdown]').getAttribute('data-countdown'));
    expect(wait).toBeGreaterThan(0);
    expect(await signIn.isDisabled()).toBe(true);
    // A disabled button cannot take focus: its description is the wait, so a screen reader says why.
    expect(await signIn.getAttribute('aria-describedby')).toBe('login-error');
    // And it looks unavailable, not only behaves so.
    expect(Number(await signIn.evaluate((element) => (globalThis as unknown as { getComputedStyle(element: unknown): { opacity: string } }).getComputedStyle(element).opacity))).toBeLessThan(1);
    expectClean(await checkAtEveryWidth(page, 'sign-in-countdown'));
    await page.clock.fastForward((wait + 1) * 1000);
    expect(await signIn.isEnabled()).toBe(true);
    expect(await page.locator('[data-countdown-done]').textContent()).toBe('You can try again now.');
  }, 60_000);

  test('consent: the app\'s domain, its logo, plain links, and Allow/Deny in the same order for eyes and keyboard', async () => {
    const page = await newPage('198.51.100.4');
    await openLogin(page);
    await signInAsNewPerson(page);
    expect(await page.locator('h1').textContent()).toBe('Acme Notes wants to use your Keyline account');
    const host = new URL(app.origin).host;
    expect(await page.locator('.kl-client-domain').innerText()).toContain(host);
    expect(await page.locator('.kl-client-domain strong').textContent()).toBe(host);
    expect(await page.evaluate<number>("document.querySelector('.kl-client-logo').naturalWidth")).toBeGreaterThan(0);
    expect(await page.getByRole('link', { name: 'Privacy policy' }).getAttribute('href')).toBe(`${app.origin}/privacy`);
    expect(await page.getByRole('link', { name: 'Terms of service' }).getAttribute('href')).toBe(`${app.origin}/terms`);
    expect(await page.locator('main').innerText()).not.toMatch(/Website of|Privacy policy of|Terms of Acme/);
    await expectFocusOrderToBeVisualOrder(page);
    expect(tooTight(await gapsAtEveryWidth(page))).toEqual([]);
    expectClean(await checkAtEveryWidth(page, 'sign-in-consent'));
  }, 60_000);

  test('consent in German (longer words): the same rhythm, order and checks', async () => {
    const context = await browser.newContext({ locale: 'de-DE', extraHTTPHeaders: { 'x-forwarded-for': '198.51.100.9' } });
    const page = await context.newPage();
    await watchForProblems(page, problems);
    await openLogin(page);
    await signInAsNewPerson(page);
    expect(await page.locator('.kl-client-domain').innerText()).toBe(`Danach kehren Sie zu ${new URL(app.origin).host} zurück.`);
    await expectFocusOrderToBeVisualOrder(page);
    expect(tooTight(await gapsAtEveryWidth(page))).toEqual([]);
    expectClean(await checkAtEveryWidth(page, 'sign-in-consent-de'));
  }, 60_000);

  test('the sign-out confirmation: Sign out and Stay in the same order for eyes and keyboard', async () => {
    const page = await signedInAtTheApp('198.51.100.5');
    await page.goto(`${kl.url}/session/end?client_id=${client.clientId}`);
    expect(await page.locator('h1').textContent()).toBe('Sign out?');
    await expectFocusOrderToBeVisualOrder(page);
  }, 60_000);

  test('a field\'s own error is in the error colour, readable in light and dark, and read with its field', async () => {
    const page = await newPage('198.51.100.6');
    await page.goto(`${kl.url}/sign-up`);
    // The server's answer is what is tested, not the browser's own checks.
    await page.evaluate(`document.querySelector('form[action="/sign-up"]').noValidate = true`);
    await page.fill('#email', 'someone@localhost');
    await page.fill('#password', 'short');
    await Promise.all([page.waitForLoadState('load'), page.click('button.kl-primary')]);
    for (const field of ['email', 'password']) {
      const error = page.locator(`#${field}-error`);
      expect(await error.evaluate((element) => (globalThis as unknown as { getComputedStyle(element: unknown): { color: string } }).getComputedStyle(element).color))
        .toBe('rgb(180, 35, 24)');
      expect(await page.getAttribute(`#${field}`, 'aria-invalid')).toBe('true');
      expect((await page.getAttribute(`#${field}`, 'aria-describedby'))?.split(' ')[0]).toBe(`${field}-error`);
    }
    // axe checks the colour contrast of the error text on the card, in light and in dark.
    expectClean(await checkAtEveryWidth(page, 'sign-in-field-errors'));
  }, 60_000);

  test('an invalid reset link is an error with a way forward', async () => {
    const page = await newPage('198.51.100.7');
    expect((await page.goto(`${kl.url}/password/reset?token=${'x'.repeat(43)}`))?.status()).toBe(410);
    expect(await page.locator('.kl-alert').getAttribute('role')).toBe('alert');
    expect(await page.locator('.kl-note').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Ask for a new password reset link' }).getAttribute('href')).toBe('/password/forgot');
    expectClean(await checkAtEveryWidth(page, 'sign-in-reset-link-invalid'));
  }, 60_000);

  test.each([
    ['unknown-client', () => `${kl.url}/auth?client_id=no-such-client&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fevil.example%2Fcb`],
    ['expired', () => `${kl.url}/interaction/no-such-interaction`],
  ])('the %s page has a way out: the start page and the account', async (name, url) => {
    const page = await newPage('198.51.100.8');
    expect((await page.goto(url()))?.status()).toBe(400);
    expect(await page.getByRole('link', { name: 'Go to the start page' }).getAttribute('href')).toBe('/');
    expect(await page.getByRole('link', { name: 'Go to your account' }).getAttribute('href')).toBe('/account');
    expect(tooTight(await gapsAtEveryWidth(page))).toEqual([]);
    expectClean(await checkAtEveryWidth(page, `sign-in-error-${name}`));
  }, 60_000);

  test('no page broke its Content-Security-Policy or threw', () => {
    expect(problems.filter((problem) => !/status of 4(00|01|10|29)/.test(problem))).toEqual([]);
  });
});
