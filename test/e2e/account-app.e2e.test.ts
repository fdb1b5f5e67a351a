import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, describeWithBrowser } from '../support/chromium.ts';
import { createTestUser, type TestUser } from '../support/oidc-flow.ts';
import { checkAtEveryWidth, expectClean, SCREENSHOTS, watchForProblems } from '../support/page-checks.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';
import { checkAccountSectionsInEveryLanguage, SHIPPED_LOCALES } from '../support/account-sections-in-every-language.ts';

/** The account area's sections, by path under /account. */
const SECTIONS = ['', '/password', '/security', '/sessions', '/apps', '/access', '/data', '/delete'];

interface Box { x: number; y: number; width: number; height: number }

/** The boxes of the visible links of a navigation, and the page's scroll width against the window's. */
async function layoutOf(page: Page, navigation: string): Promise<{ links: Box[]; lineHeight: number; card: Box; main: Box; overflows: boolean }> {
  return page.evaluate<{ links: Box[]; lineHeight: number; card: Box; main: Box; overflows: boolean }>(`(() => {
    const box = (element) => { const r = element.getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; };
    const links = [...document.querySelectorAll(${JSON.stringify(`${navigation} a`)})].filter((link) => link.getClientRects().length > 0);
    return {
      links: links.map(box),
      lineHeight: links.length ? parseFloat(getComputedStyle(links[0]).lineHeight) : 0,
      card: box(document.querySelector('.kl-card')),
      main: box(document.querySelector('.kl-account-main')),
      overflows: document.documentElement.scrollWidth > window.innerWidth,
    };
  })()`);
}

/**
 * The account app in a real browser: a full-width shell with its sections beside the page on a
 * desktop and behind a menu on phones, in every shipped language, light and dark, left-to-right
 * and right-to-left; "Download my data" hands over a file; "Delete my account" ends on a goodbye.
 */
describeWithBrowser('the account app in a real browser', () => {
  let kl: RunningKeyline;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let user: TestUser;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    kl = await startKeyline({ config: { account: { selfDelete: true } } });
    user = await createTestUser(kl);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext({ acceptDownloads: true });
    page = await context.newPage();
    await watchForProblems(page, problems);
    await page.goto(`${kl.url}/account`);
    await page.fill('#email', user.email);
    await page.fill('#password', user.password);
    await Promise.all([page.waitForURL(`${kl.url}/account`), page.click('button.kl-primary[type=submit]')]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await kl?.stop();
  });

  afterEach(() => {
    expect(problems.splice(0)).toEqual([]);
  });

  test('on a 1280 px screen the page uses the width and the sections stand in one column beside it, each on one line', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    for (const section of SECTIONS) {
      await page.goto(`${kl.url}/account${section}`);
      const { links, lineHeight, card, main, overflows } = await layoutOf(page, '.kl-account-side');
      expect({ section, links: links.length, overflows }).toEqual({ section, links: 8, overflows: false });
      expect(card.width).toBeGreaterThan(1000);
      // One column: every link starts where the first does, one under the other, each one line high.
      expect(new Set(links.map((link) => Math.round(link.x)))).toEqual(new Set([Math.round(links[0]!.x)]));
      for (let i = 1; i < links.length; i += 1) expect(links[i]!.y).toBeGreaterThan(links[i - 1]!.y);
      for (const link of links) expect(link.height).toBeLessThan(lineHeight * 2);
      // Beside the page, at its inline start.
      expect(links[0]!.x + links[0]!.width).toBeLessThanOrEqual(main.x + 1);
      expect(await page.locator('.kl-account-menu').isVisible()).toBe(false);
    }
  }, 60_000);

  test('on phones (320 and 390 px) the sections are behind a menu that names the current one and opens without a script', async () => {
    for (const width of [320, 390]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(`${kl.url}/account/sessions`);
      expect(await page.locator('.kl-account-side').isVisible()).toBe(false);
      const summary = page.locator('.kl-account-menu summary');
      expect(await summary.textContent()).toContain('Sessions');
      expect(await page.locator('.kl-account-menu a[aria-current=page]').isVisible()).toBe(false);
      await summary.click();
      const current = page.locator('.kl-account-menu a[aria-current=page]');
      expect(await current.isVisible()).toBe(true);
      expect(await current.textContent()).toBe('Sessions');
      const { links, overflows } = await layoutOf(page, '.kl-account-menu');
      expect({ width, links: links.length, overflows }).toEqual({ width, links: 8, overflows: false });
      await page.screenshot({ path: join(SCREENSHOTS, `account-app-menu-open-${width}.png`), fullPage: true });
      await Promise.all([page.waitForURL(`${kl.url}/account/data`), page.locator('.kl-account-menu a[href="/account/data"]').click()]);
      expect(await page.locator('h1').textContent()).toBe('Your data');
    }
    const scriptless = await context.browser()!.newContext({ javaScriptEnabled: false, storageState: await context.storageState() });
    try {
      const bare = await scriptless.newPage();
      await bare.setViewportSize({ width: 320, height: 800 });
      await bare.goto(`${kl.url}/account/apps`);
      await bare.locator('.kl-account-menu summary').click();
      expect(await bare.locator('.kl-account-menu a[href="/account/access"]').isVisible()).toBe(true);
    } finally {
      await scriptless.close();
    }
  }, 60_000);

  test('right-to-left, the side navigation moves to the other side and nothing scrolls sideways', async () => {
    await page.goto(`${kl.url}/account/data`);
    await page.evaluate('document.documentElement.dir = "rtl"');
    await page.setViewportSize({ width: 1280, height: 800 });
    const wide = await layoutOf(page, '.kl-account-side');
    expect(wide.overflows).toBe(false);
    expect(wide.links[0]!.x).toBeGreaterThanOrEqual(wide.main.x + wide.main.width - 1);
    await page.screenshot({ path: join(SCREENSHOTS, 'account-app-rtl-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 320, height: 800 });
    expect((await layoutOf(page, '.kl-account-menu')).overflows).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, 'account-app-rtl-320.png'), fullPage: true });
  }, 60_000);

  test('every section at 320, 390 and 1280 px in light and in dark passes axe without sideways scrolling', async () => {
    for (const section of SECTIONS) {
      await page.goto(`${kl.url}/account${section}`);
      expectClean(await checkAtEveryWidth(page, `account-app${section.replace('/', '-') || '-profile'}`));
    }
  }, 180_000);

  test('every section passes axe in every shipped language, light and dark, with the language\'s direction', async () => {
    expect(await checkAccountSectionsInEveryLanguage(page, kl.url, SECTIONS, 'account-app')).toEqual({});
  }, 300_000);

  test('the profile offers a time-zone list, the shipped languages, a date and a phone field', async () => {
    await page.goto(`${kl.url}/account`);
    expect(await page.locator('select#zoneinfo option[value="Europe/Berlin"]').count()).toBe(1);
    const languages = await page.locator('select#locale option').evaluateAll((options) => options.map((option) => option.getAttribute("value") ?? ""));
    expect(languages.sort()).toEqual(['', ...SHIPPED_LOCALES].sort());
    expect(await page.locator('#birthdate').getAttribute('type')).toBe('date');
    expect(await page.locator('#phone_number').getAttribute('type')).toBe('tel');
    await page.selectOption('#zoneinfo', 'Europe/Berlin');
    await page.selectOption('#locale', 'de');
    await page.fill('#birthdate', '1990-04-23');
    await Promise.all([page.waitForURL(/done=saved/), page.click('form[action="/account/profile"] button[type=submit]')]);
    const saved = (await kl.keyline.accounts.findById(user.id))!.profile;
    expect(saved).toMatchObject({ zoneinfo: 'Europe/Berlin', locale: 'de', birthdate: '1990-04-23' });
    expect(await page.locator('#zoneinfo').inputValue()).toBe('Europe/Berlin');
    expectClean(await checkAtEveryWidth(page, 'account-app-profile-saved'));
  }, 60_000);

  test('"Download my data" hands over a JSON file about this person', async () => {
    await page.goto(`${kl.url}/account/data`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download my data' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^account-data-\d{4}-\d{2}-\d{2}\.json$/);
    const document = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { account: { email: string } };
    expect(document.account.email).toBe(user.email);
  }, 60_000);

  test('"Delete my account" asks once more and ends on a goodbye page', async () => {
    await page.goto(`${kl.url}/account/data`);
    await Promise.all([page.waitForURL(`${kl.url}/account/delete`), page.getByRole('link', { name: 'Delete my account' }).click()]);
    await Promise.all([page.waitForURL(`${kl.url}/account/deleted`), page.getByRole('button', { name: 'Delete my account for good' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('Your account is deleted');
    expectClean(await checkAtEveryWidth(page, 'account-app-deleted'));
    expect(await kl.keyline.accounts.findById(user.id)).toBeUndefined();
  }, 60_000);
});
