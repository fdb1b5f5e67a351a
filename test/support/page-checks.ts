import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { readCatalogues } from '../../src/i18n/i18n.ts';
import { textDirection } from '../../src/i18n/text-direction.ts';
import { LOCALES_DIRECTORY, PROJECT_ROOT } from '../../src/paths.ts';

/** The widths every page is checked at, in light and in dark: the narrowest phone, a common phone, a desktop. */
export const WIDTHS = [320, 390, 1280];
/** The width each page is checked at in every other shipped language (the layout at every width was checked in English). */
export const LANGUAGE_WIDTH = 390;
export const SHIPPED_LOCALES = Object.keys(readCatalogues(LOCALES_DIRECTORY));
/**
 * The languages whose pages are kept as screenshots: the right-to-left and the CJK one, whose
 * layout differs most. Overflow and axe are checked in every language; E2E_EVERY_LANGUAGE_SCREENSHOT=1 keeps them all.
 */
const SCREENSHOT_LOCALES = process.env.E2E_EVERY_LANGUAGE_SCREENSHOT ? SHIPPED_LOCALES : ['ar', 'ja'];
export const SCREENSHOTS = process.env.E2E_SCREENSHOT_DIR ?? join(PROJECT_ROOT, 'test-results', 'pages');
const AXE_SOURCE = readFileSync(join(PROJECT_ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

export interface PageReport {
  width: number;
  /** The browser's preferred colour scheme while checking. */
  scheme: 'light' | 'dark';
  overflowsSideways: boolean;
  axeViolations: string[];
  /** What the page's background and card look like: dark when their luminance is low. */
  looks: 'light' | 'dark';
}

/** WCAG relative luminance of a computed `rgb(r, g, b)` colour. */
function luminanceOf(computed: string): number {
  const [r, g, b] = (computed.match(/[\d.]+/g) ?? []).slice(0, 3).map((value) => Number(value) / 255)
    .map((value) => (value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** One width in one colour scheme: sideways scrolling, axe-core (colour contrast included), the look, a screenshot. */
async function checkAt(target: Page, name: string, width: number, scheme: 'light' | 'dark', screenshot = true): Promise<PageReport> {
  await target.setViewportSize({ width, height: 800 });
  const { scrollWidth, innerWidth, page, card } = await target.evaluate<{ scrollWidth: number; innerWidth: number; page: string; card: string }>(
    `({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
      page: getComputedStyle(document.body).backgroundColor,
      card: getComputedStyle(document.querySelector('.kl-card') || document.body).backgroundColor })`,
  );
  // page.evaluate runs in the page without being subject to its CSP, which stays on. Once per document.
  if (!await target.evaluate<boolean>("typeof axe !== 'undefined'")) await target.evaluate(AXE_SOURCE);
  const violations = await target.evaluate<string[]>(`axe.run().then((results) => results.violations.map(
    (violation) => violation.id + ' at ' + violation.nodes.map((node) => JSON.stringify(node.target)).join(', ')))`);
  if (screenshot) await target.screenshot({ path: join(SCREENSHOTS, `${name}${scheme === 'dark' ? '-dark' : ''}-${width}.png`), fullPage: true });
  const looks = Math.max(luminanceOf(page), luminanceOf(card)) < 0.1 ? 'dark' : 'light';
  return { width, scheme, overflowsSideways: scrollWidth > innerWidth, axeViolations: violations, looks };
}

/**
 * Lays the current page out at each width in light, then at each width with a dark preference:
 * sideways scrolling (WCAG 1.4.10), axe-core, how it looks, and a screenshot kept of each (unless `screenshots` is false).
 */
export async function checkAtEveryWidth(target: Page, name: string, widths: number[] = WIDTHS, screenshots = true): Promise<PageReport[]> {
  const reports: PageReport[] = [];
  for (const width of widths) reports.push(await checkAt(target, name, width, 'light', screenshots));
  await target.emulateMedia({ colorScheme: 'dark' });
  try {
    for (const width of widths) reports.push(await checkAt(target, name, width, 'dark', screenshots));
  } finally {
    await target.emulateMedia({ colorScheme: 'light' });
  }
  return reports;
}

/** Clean at every width, light in light and dark in dark (unless the brand pins a theme: `darkPreferenceLooks`). */
export function expectClean(reports: PageReport[], darkPreferenceLooks: 'light' | 'dark' = 'dark'): void {
  expect(reports).toEqual([
    ...WIDTHS.map((width) => ({ width, scheme: 'light', overflowsSideways: false, axeViolations: [], looks: 'light' })),
    ...WIDTHS.map((width) => ({ width, scheme: 'dark', overflowsSideways: false, axeViolations: [], looks: darkPreferenceLooks })),
  ]);
}

export interface LanguageReport {
  locale: string;
  /** The page's <html lang> and dir after picking the locale. */
  lang: string | null;
  dir: string | null;
  overflowsSideways: boolean;
  axeViolations: string[];
}

/**
 * Picks a language with the page's own picker (select, then its button: a POST and a 303 back to
 * this page), as a person without script would, and waits for the page to come back in it.
 */
export async function pickLanguage(target: Page, locale: string): Promise<void> {
  await target.selectOption('#kl-language-select', locale);
  const back = target.waitForEvent('framenavigated', { predicate: (frame) => frame === target.mainFrame() });
  await target.locator('.kl-language-submit').click();
  await back;
  await target.waitForLoadState('load');
}

/**
 * The current page in every shipped language but English, each picked with the page's picker and
 * checked at LANGUAGE_WIDTH (sideways scrolling, axe-core, a `<name>-<locale>-390.png` screenshot for SCREENSHOT_LOCALES),
 * then English picked again. Use it on pages a GET shows: the picker returns to the page's address.
 */
export async function checkInEveryLanguage(target: Page, name: string): Promise<LanguageReport[]> {
  const reports: LanguageReport[] = [];
  for (const locale of SHIPPED_LOCALES.filter((shipped) => shipped !== 'en')) {
    await pickLanguage(target, locale);
    const { overflowsSideways, axeViolations } = await checkAt(target, `${name}-${locale}`, LANGUAGE_WIDTH, 'light', SCREENSHOT_LOCALES.includes(locale));
    const html = target.locator('html');
    reports.push({ locale, lang: await html.getAttribute('lang'), dir: await html.getAttribute('dir'), overflowsSideways, axeViolations });
  }
  await pickLanguage(target, 'en');
  return reports;
}

/** Every language: in its own lang and direction (Arabic right-to-left), no sideways scrolling, axe clean. */
export function expectCleanInEveryLanguage(reports: LanguageReport[]): void {
  expect(reports).toEqual(SHIPPED_LOCALES.filter((locale) => locale !== 'en').map((locale) => ({
    locale, lang: locale, dir: textDirection(locale), overflowsSideways: false, axeViolations: [],
  })));
}

/**
 * Buttons and links whose accessible name does not contain their visible words (WCAG 2.5.3), as
 * "visible / name": axe-core lets a name through when it holds the visible words apart.
 */
export function namesWithoutTheirVisibleWords(target: Page): Promise<string[]> {
  return target.evaluate<string[]>(`[...document.querySelectorAll('button[aria-label], a[aria-label]')]
    .filter((element) => element.textContent.trim() !== '' && !element.getAttribute('aria-label').toLowerCase().includes(element.textContent.trim().toLowerCase()))
    .map((element) => element.textContent.trim() + ' / ' + element.getAttribute('aria-label'))`);
}

/** Collects CSP violations, page errors and failed requests of a page, for a test to assert none happened. */
export async function watchForProblems(target: Page, problems: string[]): Promise<void> {
  await target.addInitScript({ content: `document.addEventListener('securitypolicyviolation', (event) => {
    console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline'));
  });` });
  target.on('console', (message) => {
    // A page that answers 400, 401 or 429 (a refused form, a wrong code, a wait) is the page working, not a problem.
    if (/^Failed to load resource: the server responded with a status of 4(00|01|29)/.test(message.text())) return;
    if (message.type() === 'error' || /CSP violation|Content Security Policy/.test(message.text())) problems.push(`${target.url()}: ${message.text()}`);
  });
  target.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
}
