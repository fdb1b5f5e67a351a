import i18next from 'i18next';
import { I18n, readCatalogues } from '../../src/i18n/i18n.ts';
import { textDirection } from '../../src/i18n/text-direction.ts';
import { LOCALES_DIRECTORY } from '../../src/paths.ts';

const catalogues = readCatalogues(LOCALES_DIRECTORY);
const shared = { product: 'Acme ID' };

function leafKeys(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => leafKeys(child, prefix ? `${prefix}.${key}` : key));
}

/** The same catalogues through a plain i18next, with no memo in between: what every message must say. */
function referenceTranslator(locale: string) {
  const reference = i18next.createInstance();
  void reference.init({
    resources: Object.fromEntries(Object.entries(catalogues).map(([tag, catalogue]) => [tag, { translation: catalogue }])),
    lng: 'en', fallbackLng: 'en', interpolation: { escapeValue: false }, returnNull: false, initAsync: false,
  });
  const t = reference.getFixedT(locale);
  // Right-to-left messages get their values inside Unicode isolates (i18n.ts).
  const values = textDirection(locale) === 'rtl' ? { product: `\u2068${shared.product}\u2069` } : shared;
  return (key: string, options?: Record<string, unknown>) => String(t(key, { ...values, ...options }));
}

test.each(Object.keys(catalogues))('in %s, every message asked for without options says what i18next says, the first time and the next', (locale) => {
  const t = new I18n(LOCALES_DIRECTORY, 'en', shared).translator(locale);
  const reference = referenceTranslator(locale);
  const keys = leafKeys(catalogues.en).map((key) => key.replace(/_(zero|one|two|few|many|other)$/, ''));
  for (const key of keys) {
    expect(t(key)).toBe(reference(key));
    expect(t(key)).toBe(reference(key));
  }
  expect(t('no.such.key')).toBe('no.such.key');
});

test('a message asked for with options is worked out each time, after the same key was asked for plainly', () => {
  const t = new I18n(LOCALES_DIRECTORY, 'en', shared).translator('de');
  const reference = referenceTranslator('de');
  const plural = leafKeys(catalogues.de).find((key) => key.endsWith('_other'))!.replace(/_other$/, '');
  t(plural);
  expect(t(plural, { count: 1 })).toBe(reference(plural, { count: 1 }));
  expect(t(plural, { count: 7 })).toBe(reference(plural, { count: 7 }));
  expect(t(plural, { count: 7 })).not.toBe(t(plural, { count: 1 }));
});
