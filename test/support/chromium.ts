import { existsSync } from 'node:fs';

/**
 * Debian's chromium, driven by playwright-core; never a downloaded browser. Set CHROMIUM_PATH to
 * use another. On CI a missing browser fails the run; elsewhere the browser suites skip and say so.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
  '--no-first-run', '--disable-component-update', '--disable-sync',
];
export const chromiumInstalled = existsSync(CHROMIUM);

/** A describe that runs only with a browser, and a test that fails on CI when there is none. */
export function describeWithBrowser(name: string, body: () => void): void {
  if (!chromiumInstalled && process.env.CI) {
    test('chromium is installed for the browser tests', () => {
      throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium); the e2e tests never download one`);
    });
    return;
  }
  if (!chromiumInstalled) console.warn(`e2e: skipped, no browser at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  (chromiumInstalled ? describe : describe.skip)(name, body);
}
