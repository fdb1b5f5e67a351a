import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/paths.ts';

/** The widths every page is checked at: the narrowest phone, a common phone, a desktop. */
export const WIDTHS = [320, 390, 1280];
export const SCREENSHOTS = process.env.E2E_SCREENSHOT_DIR ?? join(PROJECT_ROOT, 'test-results', 'pages');
const AXE_SOURCE = readFileSync(join(PROJECT_ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

export interface PageReport {
  width: number;
  overflowsSideways: boolean;
  axeViolations: string[];
}

/** Lays the current page out at each width: sideways scrolling (WCAG 1.4.10), axe-core, and a screenshot kept. */
export async function checkAtEveryWidth(target: Page, name: string, widths: number[] = WIDTHS): Promise<PageReport[]> {
  const reports: PageReport[] = [];
  for (const width of widths) {
    await target.setViewportSize({ width, height: 800 });
    const { scrollWidth, innerWidth } = await target.evaluate<{ scrollWidth: number; innerWidth: number }>(
      '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
    );
    // page.evaluate runs in the page without being subject to its CSP, which stays on.
    await target.evaluate(AXE_SOURCE);
    const violations = await target.evaluate<string[]>(`axe.run().then((results) => results.violations.map(
      (violation) => violation.id + ' at ' + violation.nodes.map((node) => JSON.stringify(node.target)).join(', ')))`);
    await target.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
    reports.push({ width, overflowsSideways: scrollWidth > innerWidth, axeViolations: violations });
  }
  return reports;
}

export function expectClean(reports: PageReport[], widths: number[] = WIDTHS): void {
  expect(reports).toEqual(widths.map((width) => ({ width, overflowsSideways: false, axeViolations: [] })));
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
