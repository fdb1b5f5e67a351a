import { readdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { LOCALES_DIRECTORY } from '../../src/paths.ts';
import { textDirection } from '../../src/i18n/text-direction.ts';
import { checkAtEveryWidth, namesWithoutTheirVisibleWords } from './page-checks.ts';

/** Every language Keyline ships, read from the catalogues: a new one is covered by being a file. */
export const SHIPPED_LOCALES = readdirSync(LOCALES_DIRECTORY).filter((file) => file.endsWith('.json')).map((file) => file.slice(0, -'.json'.length));

/**
 * Opens each account section (a path under /account) in every shipped language, at 390 px in light
 * and dark: axe, sideways scrolling, `lang` and `dir`, and WCAG 2.5.3 (a button's or link's name
 * contains its visible words, which axe lets through when they are held apart). Returns what was
 * found per language and section: empty when clean. The account pages follow Accept-Language, so
 * the signed-in session stays the same throughout.
 */
export async function checkAccountSectionsInEveryLanguage(page: Page, origin: string, sections: string[], name: string): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  try {
    for (const locale of SHIPPED_LOCALES) {
      await page.setExtraHTTPHeaders({ 'accept-language': locale });
      for (const section of sections) {
        await page.goto(`${origin}/account${section}`);
        const here: string[] = [];
        const html = page.locator('html');
        if (await html.getAttribute('lang') !== locale) here.push(`lang is ${await html.getAttribute('lang')}`);
        if (await html.getAttribute('dir') !== textDirection(locale)) here.push(`dir is ${await html.getAttribute('dir')}`);
        const reports = await checkAtEveryWidth(page, `${name}${section.replace('/', '-') || '-profile'}-${locale}`, [390]);
        const mismatched = await namesWithoutTheirVisibleWords(page);
        here.push(
          ...reports.flatMap((report) => [
            ...report.axeViolations.map((violation) => `${report.scheme}: ${violation}`),
            ...(report.overflowsSideways ? [`${report.scheme}: scrolls sideways`] : []),
          ]),
          ...mismatched,
        );
        if (here.length > 0) found[`${locale} /account${section}`] = here;
      }
    }
  } finally {
    await page.setExtraHTTPHeaders({});
  }
  return found;
}
