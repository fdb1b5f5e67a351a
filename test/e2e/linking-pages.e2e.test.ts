import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { upstreamCallbackUrl } from '../../src/federation/start-upstream-step.ts';
import { textDirection } from '../../src/i18n/text-direction.ts';
import { CHROMIUM, CHROMIUM_ARGS, describeWithBrowser } from '../support/chromium.ts';
import { linkIdentity } from '../support/linked-account.ts';
import { authorizeUrl, createTestUser, pkcePair, registerTestClient, type TestClient, type TestUser } from '../support/oidc-flow.ts';
import {
  checkAtEveryWidth, LANGUAGE_WIDTH, namesWithoutTheirVisibleWords, SCREENSHOTS, SHIPPED_LOCALES, watchForProblems, WIDTHS,
} from '../support/page-checks.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import { startUpstreamOp, type UpstreamOp } from '../support/upstream-op.ts';
import { addRedirectUpstream } from '../support/upstream-sign-in.ts';

/**
 * The pages the linking rules of issue 22 add, in a real browser, reached through a real upstream
 * (the stand-in OpenID Provider): the link-your-account step, the refusals of an upstream sign-in
 * ("an account exists" and "no account for you here"), the account's "Linked sign-ins" with Unlink,
 * and the first-password page of a password-less account. Each in every shipped language, light and
 * dark (Arabic right to left), at 320, 390 and 1280 px for English, Arabic and Japanese (the scripts
 * whose layout differs most) and at 390 px for the others: axe-core, no sideways scrolling, the
 * look of the scheme, accessible names that contain the visible words. Unlink is reached with the
 * keyboard and shows its focus ring. Screenshots `linking-*` of en, ar and ja (E2E_EVERY_LANGUAGE_SCREENSHOT=1 for
 * all; E2E_SCREENSHOT_DIR to keep them elsewhere).
 */
const EVERY_WIDTH_LOCALES = ['en', 'ar', 'ja'];
const PASSWORD = 'correct horse battery staple';

describeWithBrowser('the linking pages in a real browser', () => {
  let kl: RunningKeyline;
  let op: UpstreamOp;
  let browser: Browser;
  let client: TestClient;
  let owner: TestUser;
  const problems: string[] = [];

  async function newPage(): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await watchForProblems(page, problems);
    return page;
  }

  /** The client's login page, then the button of `upstream`, through the stand-in upstream and back to wherever Keyline ends. */
  async function signInWith(page: Page, upstream: string, start = authorizeUrl(kl, client, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' })): Promise<void> {
    await page.goto(start);
    const loginPage = page.url();
    // Every step between (Keyline's start, the upstream, the callback) is a redirect: the next page committed is where Keyline ends.
    await Promise.all([
      page.waitForURL((url) => url.href !== loginPage && url.origin === kl.url, { waitUntil: 'load' }),
      page.getByRole('button', { name: upstream }).click(),
    ]);
  }

  /**
   * The page `open` shows, in every shipped language (it is opened again in each): `lang`, `dir`,
   * and in light and dark at every width for EVERY_WIDTH_LOCALES, at LANGUAGE_WIDTH for the others:
   * axe, sideways scrolling, the scheme's look, names that hold their visible words (WCAG 2.5.3).
   * Returns what was found per language: empty when clean.
   */
  async function checkInEveryLanguageAndWidth(page: Page, name: string, open: (locale: string) => Promise<void>): Promise<Record<string, string[]>> {
    const found: Record<string, string[]> = {};
    for (const locale of SHIPPED_LOCALES) {
      await open(locale);
      const here: string[] = [];
      const html = page.locator('html');
      if (await html.getAttribute('lang') !== locale) here.push(`lang is ${await html.getAttribute('lang')}`);
      if (await html.getAttribute('dir') !== textDirection(locale)) here.push(`dir is ${await html.getAttribute('dir')}`);
      const everyWidth = EVERY_WIDTH_LOCALES.includes(locale);
      const reports = await checkAtEveryWidth(page, `${name}-${locale}`, everyWidth ? WIDTHS : [LANGUAGE_WIDTH], everyWidth || Boolean(process.env.E2E_EVERY_LANGUAGE_SCREENSHOT));
      for (const report of reports) {
        const at = `${report.scheme} ${report.width}`;
        here.push(...report.axeViolations.map((violation) => `${at}: ${violation}`));
        if (report.overflowsSideways) here.push(`${at}: scrolls sideways`);
        if (report.looks !== report.scheme) here.push(`${at}: looks ${report.looks}`);
      }
      here.push(...await namesWithoutTheirVisibleWords(page));
      if (here.length > 0) found[locale] = here;
    }
    await page.setExtraHTTPHeaders({});
    return found;
  }

  /**
   * A state a POST draws (a refusal, an answer) on a page checked above at every width: the same
   * layout with one more block, so it is checked where that block wraps most, 320 px, light and dark.
   */
  async function expectStateClean(page: Page, name: string): Promise<void> {
    const reports = await checkAtEveryWidth(page, name, [320]);
    expect(reports).toEqual(['light', 'dark'].map((scheme) => ({ width: 320, scheme, overflowsSideways: false, axeViolations: [], looks: scheme })));
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    kl = await startKeyline({ config: { outbound: { allowPrivateNetworks: true }, login: { backoffAfterFailures: 1000, lockAfterFailures: 1000, ipMaxFailures: 1000 } } });
    owner = await createTestUser(kl, PASSWORD);
    op = await startUpstreamOp({
      clients: ['acme', 'partners'].map((id) => ({ client_id: `keyline-${id}`, client_secret: `secret-${id}`, redirect_uris: [upstreamCallbackUrl(kl.url, id)] })),
      accounts: [
        // Vouches for the local owner's address: the link step.
        { sub: 'owner-at-acme', claims: { email: owner.email, email_verified: true, name: 'Owner at Acme' } },
        // Claims the owner's address without vouching for it: "an account exists", never linked.
        { sub: 'claimant', claims: { email: owner.email, email_verified: false } },
        // Nobody here yet: a password-less account at Acme; refused at the link-only partner portal.
        { sub: 'newcomer', claims: { email: 'newcomer@acme.test', email_verified: true, name: 'Nia Newcomer' } },
      ],
    });
    const settings = (id: string) => ({ issuer: op.issuer, clientId: `keyline-${id}`, scopes: ['openid', 'email', 'profile'] });
    await addRedirectUpstream(kl, { id: 'acme', name: 'Acme Corp SSO', settings: settings('acme') }, { clientSecret: 'secret-acme' });
    await addRedirectUpstream(kl, { id: 'partners', name: 'Partner Portal', provisioning: 'link-only', settings: settings('partners') }, { clientSecret: 'secret-partners' });
    client = await registerTestClient(kl, { name: 'Acme Notes', upstreams: ['acme', 'partners'] });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await op?.close();
    await kl?.stop();
  });

  afterEach(() => {
    // A refusal is a 403 page and refusing to unlink the last way in a 409: the pages working, not problems.
    expect(problems.splice(0).filter((problem) => !/status of (403|409)/.test(problem))).toEqual([]);
  });

  test('link your account: the step, in every language, and its answer to a wrong password', async () => {
    const page = await newPage();
    op.signInAs('owner-at-acme');
    await signInWith(page, 'Continue with Acme Corp SSO');
    expect(new URL(page.url()).pathname).toMatch(/\/upstream-link$/);
    expect(await page.locator('h1').textContent()).toBe('Link Acme Corp SSO to your account');
    const linkUrl = page.url();
    expect(await checkInEveryLanguageAndWidth(page, 'linking-step', async (locale) => {
      await page.setExtraHTTPHeaders({ 'accept-language': locale });
      await page.goto(linkUrl);
    })).toEqual({});

    await page.goto(linkUrl);
    await page.fill('#password', 'not the password');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in and link' }).click()]);
    expect(await page.locator('#link-error').textContent()).toBe('That password is not right.');
    expect(await page.locator('#password').getAttribute('aria-invalid')).toBe('true');
    await expectStateClean(page, 'linking-step-wrong-password');
    await page.context().close();
  }, 60_000);

  test('the refusals of an upstream sign-in: "an account exists" and "no account for you here", in every language', async () => {
    const claimant = await newPage();
    op.signInAs('claimant');
    expect(await checkInEveryLanguageAndWidth(claimant, 'linking-refused-account-exists', async (locale) => {
      await claimant.setExtraHTTPHeaders({ 'accept-language': locale });
      await signInWith(claimant, 'Acme Corp SSO');
    })).toEqual({});
    await signInWith(claimant, 'Acme Corp SSO');
    expect(await claimant.locator('[role=alert]').textContent()).toContain('has not confirmed the address, so it cannot be linked');
    await claimant.context().close();

    const stranger = await newPage();
    op.signInAs('newcomer');
    expect(await checkInEveryLanguageAndWidth(stranger, 'linking-refused-no-account', async (locale) => {
      await stranger.setExtraHTTPHeaders({ 'accept-language': locale });
      await signInWith(stranger, 'Partner Portal');
    })).toEqual({});
    await signInWith(stranger, 'Partner Portal');
    expect(await stranger.locator('[role=alert]').textContent()).toBe('There is no account here for your Partner Portal identity. Ask an administrator for one.');
    // The way back is this sign-in's login page.
    await Promise.all([stranger.waitForLoadState('load'), stranger.getByRole('link', { name: 'Back to sign-in' }).click()]);
    expect(await stranger.getByRole('button', { name: 'Continue with Partner Portal' }).count()).toBe(1);
    await stranger.context().close();
  }, 60_000);

  test('a password-less account: its linked sign-ins with Unlink, its first password, and Unlink by keyboard', async () => {
    const page = await newPage();
    op.signInAs('newcomer');
    await signInWith(page, 'Continue with Acme Corp SSO', `${kl.url}/account/security`);
    expect(new URL(page.url()).pathname).toBe('/account/security');
    const account = (await kl.store.accounts.findByEmail('newcomer@acme.test'))!;
    await linkIdentity(kl, account.id, 'partners', 'newcomer-at-partners');
    await page.reload();
    expect(await page.locator('#linked-heading + p + ul .kl-factor-name').allTextContents()).toEqual(['Acme Corp SSO', 'Partner Portal']);

    expect(await checkInEveryLanguageAndWidth(page, 'linking-account-security', async (locale) => {
      await page.setExtraHTTPHeaders({ 'accept-language': locale });
      await page.goto(`${kl.url}/account/security`);
    })).toEqual({});

    expect(await checkInEveryLanguageAndWidth(page, 'linking-first-password', async (locale) => {
      await page.setExtraHTTPHeaders({ 'accept-language': locale });
      await page.goto(`${kl.url}/account/password`);
    })).toEqual({});
    await page.goto(`${kl.url}/account/password`);
    expect(await page.locator('#current').count()).toBe(0);
    expect(await page.locator('.kl-muted').first().textContent()).toContain('Your account has no password yet');
    expect(await page.locator('form[action="/account/password"] button[type=submit]').textContent()).toBe('Set password');

    // Unlink by keyboard: Tab from the top of the page reaches it, and its focus ring shows.
    await page.goto(`${kl.url}/account/security`);
    await page.setViewportSize({ width: 390, height: 800 });
    const unlinkPartners = 'Unlink Partner Portal';
    let reached = false;
    for (let presses = 0; presses < 60 && !reached; presses += 1) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate<boolean>(`document.activeElement?.textContent?.trim() === ${JSON.stringify(unlinkPartners)}`);
    }
    expect(reached).toBe(true);
    const ring = await page.evaluate<{ visible: boolean; style: string; width: string; colour: string }>(`(() => {
      const style = getComputedStyle(document.activeElement);
      return { visible: document.activeElement.matches(':focus-visible'), style: style.outlineStyle, width: style.outlineWidth, colour: style.outlineColor };
    })()`);
    expect(ring).toMatchObject({ visible: true, style: 'solid', width: '3px' });
    expect(ring.colour).not.toMatch(/rgba\(.*, 0\)|transparent/);
    await page.screenshot({ path: `${SCREENSHOTS}/linking-unlink-focused-390.png`, fullPage: true });
    await Promise.all([page.waitForURL(/done=unlinked/), page.keyboard.press('Enter')]);
    expect(await page.locator('[role=status]').textContent()).toBe('The sign-in was unlinked.');
    expect(await page.locator('#linked-heading + p + ul .kl-factor-name').allTextContents()).toEqual(['Acme Corp SSO']);
    await expectStateClean(page, 'linking-account-unlinked');

    // The last way in stays, and the page says why.
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Unlink Acme Corp SSO' }).click()]);
    expect(await page.locator('#link-error').textContent()).toContain('This is your only way to sign in.');
    await expectStateClean(page, 'linking-account-last-way');
    await page.context().close();
  }, 60_000);
});
