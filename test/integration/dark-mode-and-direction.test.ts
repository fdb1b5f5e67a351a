import { parseConfig } from '../../src/config/load-config.ts';
import { readCatalogues } from '../../src/i18n/i18n.ts';
import { textDirection } from '../../src/i18n/text-direction.ts';
import { LOCALES_DIRECTORY } from '../../src/paths.ts';
import { startKeyline, TEST_SECRETS_KEY, type RunningKeyline } from '../support/start-keyline.ts';

const SHIPPED = Object.keys(readCatalogues(LOCALES_DIRECTORY));

async function page(kl: RunningKeyline, locale = 'en'): Promise<string> {
  const response = await fetch(`${kl.url}/no/such/page`, { headers: { accept: 'text/html', 'accept-language': locale } });
  return response.text();
}

/** The one <html> start tag of a page. */
function htmlTag(html: string): string {
  return /<html[^>]*>/.exec(html)![0];
}

describe('a Keyline with the default branding', () => {
  let kl: RunningKeyline;
  beforeAll(async () => { kl = await startKeyline(); });
  afterAll(async () => { await kl.stop(); });

  test.each(SHIPPED)('the layout\'s dir comes from the locale (%s)', async (locale) => {
    const tag = htmlTag(await page(kl, locale));
    expect(tag).toContain(`lang="${locale}"`);
    expect(tag).toContain(`dir="${textDirection(locale)}"`);
    expect(textDirection(locale)).toBe(locale === 'ar' ? 'rtl' : 'ltr');
  });

  test('auto follows the browser: data-theme="auto", both schemes allowed, the dark brand colours under the media query', async () => {
    const html = await page(kl);
    expect(htmlTag(html)).toContain('data-theme="auto"');
    expect(html).toContain('<meta name="color-scheme" content="light dark">');
    expect(html).toMatch(/:root\{--kl-primary:#2457d6;[^}]*\}@media \(prefers-color-scheme: dark\)\{:root\{--kl-primary:#[0-9a-f]{6};[^}]*--kl-background:#[0-9a-f]{6};/);
    expect(html).not.toMatch(/style="/);
  });
});

test('branding.theme: dark pins the pages dark, with only the dark brand colours and the configured ones', async () => {
  const kl = await startKeyline({ config: { branding: { theme: 'dark', primaryColorDark: '#5eead4', backgroundColorDark: '#042f2e' } } });
  try {
    const html = await page(kl);
    expect(htmlTag(html)).toContain('data-theme="dark"');
    expect(html).toContain('<meta name="color-scheme" content="dark">');
    expect(html).toContain(':root{--kl-primary:#5eead4;--kl-on-primary:#111827;--kl-link:#5eead4;--kl-focus:#5eead4;--kl-background:#042f2e;--kl-on-background:#ffffff}');
    expect(html).not.toContain('prefers-color-scheme');
  } finally {
    await kl.stop();
  }
});

test('a dark brand colour unreadable on the dark card is checked as the light one is: links and focus keep the text colour', async () => {
  const kl = await startKeyline({ config: { branding: { theme: 'dark', primaryColorDark: '#1e3a8a' } } });
  try {
    const html = await page(kl);
    expect(html).toContain('--kl-primary:#1e3a8a;--kl-on-primary:#ffffff;--kl-link:#e5e7eb;--kl-focus:#e5e7eb');
  } finally {
    await kl.stop();
  }
});

test('without dark colours in the config, the derived dark brand colour reads on the dark card', async () => {
  const kl = await startKeyline({ config: { branding: { theme: 'dark', primaryColor: '#1e3a8a', backgroundColor: '#ffffff' } } });
  try {
    const html = await page(kl);
    const link = /--kl-link:(#[0-9a-f]{6})/.exec(html)![1];
    const primary = /--kl-primary:(#[0-9a-f]{6})/.exec(html)![1];
    expect(link).toBe(primary);
    expect(primary).not.toBe('#1e3a8a');
    expect(html).toMatch(/--kl-background:#1[0-9a-f]1[0-9a-f]1[0-9a-f];--kl-on-background:#ffffff/);
  } finally {
    await kl.stop();
  }
});

test('a pinned light theme has no dark brand colours, and an unknown theme is refused at start', async () => {
  const kl = await startKeyline({ config: { branding: { theme: 'light' } } });
  try {
    const html = await page(kl);
    expect(htmlTag(html)).toContain('data-theme="light"');
    expect(html).toContain('<meta name="color-scheme" content="light">');
    expect(html).toContain(':root{--kl-primary:#2457d6;');
    expect(html).not.toContain('prefers-color-scheme');
  } finally {
    await kl.stop();
  }
  expect(() => parseConfig({ issuer: kl.url, port: 0, store: 'unused.sqlite', secrets: { keys: [TEST_SECRETS_KEY] }, branding: { theme: 'sepia' } }))
    .toThrow(/branding\.theme/);
});
