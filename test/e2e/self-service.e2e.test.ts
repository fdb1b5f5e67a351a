import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, describeWithBrowser } from '../support/chromium.ts';
import { authorizeUrl, createTestUser, pkcePair, registerTestClient, type TestClient } from '../support/oidc-flow.ts';
import { checkAtEveryWidth, checkInEveryLanguage, expectClean, expectCleanInEveryLanguage, SCREENSHOTS, watchForProblems } from '../support/page-checks.ts';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

/**
 * The self-service pages in a real browser, reached as a person reaches them (from the login page,
 * from the links in the mail): each at 320, 390 and 1280 px with axe-core, no CSP violation, and a
 * screenshot. Also in German, since a longer language is what breaks a narrow layout, and each page
 * a GET shows in every shipped language at 390 px (switched with the page's own picker).
 */
describeWithBrowser('self-service pages at 320, 390 and 1280 px', () => {
  let smtp: TestSmtpServer;
  let kl: RunningKeyline;
  let client: TestClient;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    smtp = await startSmtpServer();
    kl = await startKeyline({ config: { mail: { smtp: smtp.url }, registration: { enabled: true }, branding: { productName: 'Acme ID', primaryColor: '#0f766e' } } });
    client = await registerTestClient(kl);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await kl?.stop();
    await smtp?.stop();
  });

  async function newPage(locale = 'en-GB'): Promise<Page> {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    await watchForProblems(page, problems);
    return page;
  }

  /** A page that answers 400 (a field to fix) or 410 (a used link) is the page working, not a problem. */
  const unexpected = (found: string[]) => found.filter((problem) => !/Failed to load resource: the server responded with a status of 4(00|10)/.test(problem));

  async function check(page: Page, name: string): Promise<void> {
    expectClean(await checkAtEveryWidth(page, name));
  }

  /** `check`, then the same page in every other shipped language (only for a page a GET shows). */
  async function checkInAll(page: Page, name: string): Promise<void> {
    await check(page, name);
    expectCleanInEveryLanguage(await checkInEveryLanguage(page, name));
  }

  test('forgot password from the login page, the neutral answer, the reset page from the mail, and its outcome', async () => {
    const user = await createTestUser(kl);
    const page = await newPage();
    await page.goto(authorizeUrl(kl, client, { code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }));
    await check(page, 'login-with-self-service');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL(/\/password\/forgot/);
    await checkInAll(page, 'forgot-password');
    await page.getByLabel('Email').fill(user.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    await check(page, 'reset-requested');

    const mail = await smtp.nextMailTo(user.email);
    await page.goto(mail.link!);
    await checkInAll(page, 'reset-password');
    await page.getByLabel('New password').fill('password');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('alert').waitFor();
    await check(page, 'reset-password-weak');
    await page.getByLabel('New password').fill('a much better passphrase');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('heading', { name: 'Your password was changed' }).waitFor();
    await check(page, 'reset-done');
    await page.goto(mail.link!);
    await checkInAll(page, 'link-invalid');
    expect(unexpected(problems)).toEqual([]);
  }, 120_000);

  test.each([['en-GB', ''], ['de-DE', '-de']] as const)('sign-up, its answer and the verification page (%s)', async (locale, suffix) => {
    {
      const page = await newPage(locale);
      await page.goto(`${kl.url}/sign-up`);
      await (suffix ? check(page, `sign-up${suffix}`) : checkInAll(page, 'sign-up'));
      const email = `e2e-${suffix || 'en'}-${Date.now()}@example.test`;
      await page.locator('#email').fill(email);
      await page.locator('#name').fill('E2E Person');
      await page.locator('#password').fill('password');
      await page.locator('main button[type=submit]').click();
      await page.getByRole('alert').waitFor();
      await check(page, `sign-up-invalid${suffix}`);
      await page.locator('#password').fill('a long enough password');
      await page.locator('main button[type=submit]').click();
      await page.locator('h1').waitFor();
      await check(page, `signed-up${suffix}`);
      const mail = await smtp.nextMailTo(email);
      await page.goto(mail.link!);
      await (suffix ? check(page, `verify-email${suffix}`) : checkInAll(page, 'verify-email'));
      await page.locator('#password').fill('a long enough password');
      await page.locator('main button[type=submit]').click();
      await page.locator('.kl-note').waitFor();
      await check(page, `email-verified${suffix}`);
    }
    expect(unexpected(problems)).toEqual([]);
  }, 120_000);
});
