import { mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, describeWithBrowser } from '../support/chromium.ts';
import { authorizeUrl, pkcePair, registerTestClient } from '../support/oidc-flow.ts';
import { checkAtEveryWidth, expectClean, SCREENSHOTS, watchForProblems } from '../support/page-checks.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

/**
 * The error page's way out back to a registered app, with the host it leads to under it
 * (test/security/error-page-way-out-shows-its-host.test.ts): readable at every width, light and dark,
 * a long host wraps instead of scrolling sideways, and the link is described by the host.
 */
describeWithBrowser('the way out of an error page, back to a registered app', () => {
  let kl: RunningKeyline;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    kl = await startKeyline();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await kl?.stop();
  });

  test('"Back to the app", its host beneath, at every width in light and dark', async () => {
    const host = 'notes.eu-west-1.customer-workspaces.acme-collaboration-suite.example';
    const client = await registerTestClient(kl, { name: 'Acme Notes', clientUri: `https://${host}/` });
    const page = await browser.newPage();
    await watchForProblems(page, problems);
    const answer = await page.goto(authorizeUrl(kl, client, {
      redirect_uri: 'https://elsewhere.example/cb', code_challenge: pkcePair().challenge, code_challenge_method: 'S256',
    }));
    expect(answer?.status()).toBe(400);
    const back = page.getByRole('link', { name: 'Back to Acme Notes' });
    expect(await back.getAttribute('href')).toBe(`https://${host}/`);
    expect(await back.getAttribute('aria-describedby')).toBe('back-link-host');
    expect(await page.locator('#back-link-host').textContent()).toBe(host);
    expectClean(await checkAtEveryWidth(page, 'sign-in-error-back-to-app'));
    expect(problems.filter((problem) => !/status of 400/.test(problem))).toEqual([]);
  }, 60_000);
});
