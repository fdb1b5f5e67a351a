import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, describeWithBrowser } from '../support/chromium.ts';
import { EXAMPLE_API, startExample, type RunningExample } from '../support/example-app.ts';
import { checkAtEveryWidth, expectClean, SCREENSHOTS, watchForProblems } from '../support/page-checks.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

/**
 * The "Login with Keyline" example in a real browser, as a newcomer meets it after `npm run example`:
 * its start, Keyline's pages, the signed-in page, sign-out through Keyline, a Deny and a used link.
 * Each of its pages at 320, 390 and 1280 px in light and at 390 and 1280 px in dark, with axe-core,
 * no sideways scroll, no CSP violation and a screenshot. The person's name is markup, which must
 * stay text.
 */
describeWithBrowser('the example app at 390 and 1280 px, light and dark', () => {
  let kl: RunningKeyline;
  let example: RunningExample;
  let browser: Browser;
  const problems: string[] = [];
  const NAME = '<script>window.injected = true</script><img src=x onerror="window.injected = true">';

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    kl = await startKeyline({ config: { resources: { [EXAMPLE_API]: { scopes: ['read'] } } } });
    example = await startExample(kl);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    example?.close();
    await kl?.stop();
  });

  async function newPage(): Promise<Page> {
    const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await watchForProblems(page, problems);
    return page;
  }

  /** Light at every width and dark at 390 (page-checks), then dark at 1280 as well. */
  async function check(page: Page, name: string): Promise<void> {
    expectClean(await checkAtEveryWidth(page, `example-${name}`));
    await page.emulateMedia({ colorScheme: 'dark' });
    // checkAtEveryWidth's first pass runs in the scheme the page has: here dark, at 1280 only.
    const [wide] = await checkAtEveryWidth(page, `example-${name}-dark-wide`, [1280]);
    expect({ ...wide, scheme: 'dark' }).toEqual({ width: 1280, scheme: 'dark', overflowsSideways: false, axeViolations: [], looks: 'dark' });
    await page.emulateMedia({ colorScheme: 'light' });
  }

  async function signInAtKeyline(page: Page, email: string, password: string): Promise<void> {
    await page.getByRole('link', { name: 'Login with Keyline' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  test('sign in, the claims, UserInfo and the API answer, a reload, and sign-out through Keyline', async () => {
    const email = `e2e-${Date.now()}@example.test`;
    await kl.keyline.accounts.create(email, 'correct horse battery staple', NAME);
    const page = await newPage();
    await page.goto(example.url);
    await check(page, 'start');

    await signInAtKeyline(page, email, 'correct horse battery staple');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByRole('heading', { name: /^Signed in as / }).waitFor();
    expect(new URL(page.url()).search).toBe('');
    expect(await page.evaluate('window.injected')).toBeUndefined();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Signed in as ${NAME}`);
    expect(await page.getByRole('table', { name: 'UserInfo' }).getByRole('row', { name: /^email / }).textContent()).toContain(email);
    expect(await page.locator('#api-status').textContent()).toBe('200');
    await check(page, 'signed-in');

    await page.reload();
    await page.getByRole('heading', { name: /^Signed in as / }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click(); // Keyline's "Sign out?" page
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    expect(page.url()).toBe(`${example.url}/signed-out`);
    await check(page, 'signed-out');
    expect(problems).toEqual([]);
  }, 120_000);

  test('a Deny and a used sign-in link end on friendly pages with a way to try again', async () => {
    const email = `e2e-deny-${Date.now()}@example.test`;
    await kl.keyline.accounts.create(email, 'correct horse battery staple', 'Dee Nye');
    const page = await newPage();
    await page.goto(example.url);
    await signInAtKeyline(page, email, 'correct horse battery staple');
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.getByRole('heading', { name: 'You chose not to sign in' }).waitFor();
    expect(page.url()).toBe(`${example.url}/sign-in-problem`);
    await check(page, 'denied');

    // Try again, allow, and then open the callback address that was used.
    const callbacks: string[] = [];
    page.on('request', (request) => { if (request.url().startsWith(`${example.url}/callback`)) callbacks.push(request.url()); });
    await page.getByRole('link', { name: 'Try again' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByRole('heading', { name: /^Signed in as Dee Nye/ }).waitFor();
    await page.goto(callbacks[0]!);
    await page.getByRole('heading', { name: 'This sign-in link cannot be used' }).waitFor();
    await check(page, 'used-link');
    const unexpected = problems.filter((problem) => !/status of 400/.test(problem));
    expect(unexpected).toEqual([]);
  }, 120_000);
});
