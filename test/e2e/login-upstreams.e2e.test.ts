import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, describeWithBrowser } from '../support/chromium.ts';
import { authorizeUrl, pkcePair, registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import {
  checkAtEveryWidth, checkInEveryLanguage, expectClean, expectCleanInEveryLanguage, LANGUAGE_WIDTH, SCREENSHOTS, SHIPPED_LOCALES, watchForProblems,
} from '../support/page-checks.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import { addThreeUpstreams, addUpstream } from '../support/upstreams-in-store.ts';

/**
 * The login page with upstream buttons (issue 22) in a real browser: Google and GitHub from their
 * presets and a company's own OpenID Provider, at 320, 390 and 1280 px in light and dark and in every
 * shipped language (Arabic right to left), axe-clean, no sideways scroll, no request to another
 * origin, 44 px targets; the --no-local-login page; the upstream error page in every language.
 * Screenshots `login-upstreams-*`, `login-upstreams-only-*`, `upstream-error-*`.
 */
describeWithBrowser('the login page with upstream buttons', () => {
  let kl: RunningKeyline;
  let browser: Browser;
  let everyUpstream: TestClient;
  let upstreamsOnly: TestClient;
  const problems: string[] = [];
  const requestedOrigins = new Set<string>();

  async function newPage(locale?: string): Promise<Page> {
    const context = await browser.newContext(locale ? { locale, extraHTTPHeaders: { 'accept-language': locale } } : {});
    const page = await context.newPage();
    await watchForProblems(page, problems);
    page.on('request', (request) => requestedOrigins.add(new URL(request.url()).origin));
    return page;
  }

  const openLogin = (page: Page, client: TestClient) =>
    page.goto(authorizeUrl(kl, client, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256', state: 'st' }));

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    kl = await startKeyline();
    await addThreeUpstreams(kl);
    everyUpstream = await registerTestClient(kl, { name: 'Acme Notes', upstreams: ['google', 'github', 'acme'] });
    upstreamsOnly = await registerTestClient(kl, { name: 'Acme Intranet', upstreams: ['acme', 'google'], noLocalLogin: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await kl?.stop();
  });

  test('three buttons above the password form: clean at every width, light and dark, and in every language', async () => {
    const page = await newPage();
    await openLogin(page, everyUpstream);
    const buttons = page.locator('.kl-upstreams button');
    expect(await buttons.allInnerTexts()).toEqual(['Sign in with Google', 'Sign in with GitHub', 'Continue with Acme Corp SSO']);
    for (const box of await Promise.all((await buttons.all()).map((button) => button.boundingBox()))) expect(box!.height).toBeGreaterThanOrEqual(44);
    // Tab order: the buttons, then the email field (visual order top to bottom).
    await page.locator('.kl-upstreams button').first().focus();
    expect(await page.evaluate<string>('document.activeElement.textContent')).toContain('Google');
    expectClean(await checkAtEveryWidth(page, 'login-upstreams'));
    expectCleanInEveryLanguage(await checkInEveryLanguage(page, 'login-upstreams'));
    expect([...requestedOrigins]).toEqual([kl.url]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);

  test('in Arabic the marks sit at the inline start (the right) and are not mirrored, at 320 px', async () => {
    const page = await newPage('ar');
    await openLogin(page, everyUpstream);
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    expectClean(await checkAtEveryWidth(page, 'login-upstreams-ar'));
    await page.setViewportSize({ width: 320, height: 800 });
    const first = page.locator('.kl-upstreams button').first();
    const icon = (await first.locator('.kl-upstream-icon').boundingBox())!;
    const label = (await first.locator('.kl-upstream-label').boundingBox())!;
    expect(icon.x).toBeGreaterThan(label.x + label.width - 1);
    expect(await page.evaluate<string>('getComputedStyle(document.querySelector(".kl-upstream-icon svg")).transform')).toBe('none');
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);

  test('--no-local-login: only the buttons and Cancel, clean at every width and in every language', async () => {
    const page = await newPage();
    await openLogin(page, upstreamsOnly);
    expect(await page.locator('.kl-upstreams button').allInnerTexts()).toEqual(['Continue with Acme Corp SSO', 'Sign in with Google']);
    for (const absent of ['#password', '#email', '[data-passkey]', 'a[href^="/sign-up"]', 'a[href^="/password/forgot"]', '.kl-divider']) {
      expect({ absent, count: await page.locator(absent).count() }).toEqual({ absent, count: 0 });
    }
    expect(await page.getByRole('button', { name: 'Cancel' }).count()).toBe(1);
    expectClean(await checkAtEveryWidth(page, 'login-upstreams-only'));
    expectCleanInEveryLanguage(await checkInEveryLanguage(page, 'login-upstreams-only'));
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);

  test('every preset\'s mark, and a directory\'s generic one, readable in light and dark', async () => {
    await addUpstream(kl, { id: 'microsoft', name: 'Microsoft', preset: 'microsoft' });
    await addUpstream(kl, { id: 'gitlab', name: 'GitLab', preset: 'gitlab' });
    await addUpstream(kl, { id: 'apple', name: 'Apple', preset: 'apple' });
    await addUpstream(kl, { id: 'corp-ldap', name: 'Corporate directory', type: 'ldap', settings: { url: 'ldap://127.0.0.1:9' } });
    const every = await registerTestClient(kl, { name: 'Acme Notes', upstreams: ['google', 'microsoft', 'github', 'gitlab', 'apple', 'acme', 'corp-ldap'] });
    const page = await newPage();
    await openLogin(page, every);
    expect(await page.locator('.kl-upstreams svg').count()).toBe(7);
    expectClean(await checkAtEveryWidth(page, 'login-upstreams-every-preset'));
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);

  test('the upstream error page, in every language: the way back to this sign-in, clean in light and dark', async () => {
    const reports: Array<{ locale: string; status: number | undefined; dir: string | null; back: number; clean: boolean }> = [];
    for (const locale of SHIPPED_LOCALES) {
      const page = await newPage(locale);
      await openLogin(page, everyUpstream);
      const loginPath = new URL(page.url()).pathname;
      const [answer] = await Promise.all([page.waitForResponse((response) => response.url().includes('/upstream/')), page.locator('.kl-upstreams button').last().click()]);
      await page.waitForLoadState('load');
      const widths = locale === 'en' ? undefined : [LANGUAGE_WIDTH];
      const checked = await checkAtEveryWidth(page, `upstream-error-${locale}`, widths);
      reports.push({
        locale, status: answer.status(), dir: await page.locator('html').getAttribute('dir'),
        back: await page.locator(`a.kl-primary[href="${loginPath}"]`).count(),
        clean: checked.every((report) => !report.overflowsSideways && report.axeViolations.length === 0 && report.looks === report.scheme),
      });
      if (!checked.every((report) => report.axeViolations.length === 0)) console.log(locale, JSON.stringify(checked));
      // The way back is the same sign-in, with its buttons.
      await page.locator(`a.kl-primary[href="${loginPath}"]`).click();
      expect(await page.locator('.kl-upstreams button').count()).toBe(3);
      await page.context().close();
    }
    expect(reports).toEqual(SHIPPED_LOCALES.map((locale) => ({ locale, status: 502, dir: locale === 'ar' ? 'rtl' : 'ltr', back: 1, clean: true })));
    expect(problems.filter((problem) => !/status of 502/.test(problem))).toEqual([]);
  }, 180_000);
});
