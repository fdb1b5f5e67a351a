import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCatalogues } from '../../src/i18n/i18n.ts';
import { ERROR_KINDS } from '../../src/pages/error-kinds.ts';
import { LOCALES_DIRECTORY, PROJECT_ROOT, VIEWS_DIRECTORY } from '../../src/paths.ts';

const catalogues = readCatalogues(LOCALES_DIRECTORY);
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

function flatten(value: unknown, prefix = ''): Record<string, string> {
  if (typeof value === 'string') return { [prefix]: value };
  return Object.assign({}, ...Object.entries(value as Record<string, unknown>)
    .map(([key, child]) => flatten(child, prefix ? `${prefix}.${key}` : key)));
}

const flat = Object.fromEntries(Object.entries(catalogues).map(([locale, catalogue]) => [locale, flatten(catalogue)]));
const english = flat.en!;
const baseKeys = (messages: Record<string, string>) => [...new Set(Object.keys(messages).map((key) => key.replace(PLURAL_SUFFIX, '')))].sort();
const placeholders = (text: string) => [...new Set([...text.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]))].sort();

function filesUnder(directory: string, extension: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith(extension)).map((file) => join(directory, file));
}

test('Keyline ships English, German, French and Spanish', () => {
  expect(Object.keys(catalogues).sort()).toEqual(expect.arrayContaining(['de', 'en', 'es', 'fr']));
});

test.each(Object.keys(flat).filter((locale) => locale !== 'en'))('the %s catalogue has every key the English one has, and no other', (locale) => {
  expect(baseKeys(flat[locale]!)).toEqual(baseKeys(english));
});

test.each(Object.keys(flat))('every plural message in %s has each plural form the language needs', (locale) => {
  const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
  const plural = [...new Set(Object.keys(flat[locale]!).filter((key) => PLURAL_SUFFIX.test(key)).map((key) => key.replace(PLURAL_SUFFIX, '')))];
  for (const key of plural) {
    expect({ key, forms: categories.filter((category) => !(`${key}_${category}` in flat[locale]!)) }).toEqual({ key, forms: [] });
  }
});

test.each(Object.keys(flat).filter((locale) => locale !== 'en'))('every %s message fills the same placeholders as the English one', (locale) => {
  const mismatches = Object.entries(flat[locale]!)
    .filter(([key, text]) => english[key] !== undefined && placeholders(text).join() !== placeholders(english[key]!).join())
    .map(([key]) => key);
  expect(mismatches).toEqual([]);
});

test('every message key the templates and the code look up exists', () => {
  const sources = [...filesUnder(VIEWS_DIRECTORY, '.pug'), ...filesUnder(join(PROJECT_ROOT, 'src'), '.ts')];
  const used = new Set<string>();
  for (const file of sources) {
    for (const match of readFileSync(file, 'utf8').matchAll(/\bt\('([\w.]+)'/g)) used.add(match[1]!);
  }
  for (const kind of ERROR_KINDS) for (const part of ['title', 'what', 'next']) used.add(`errors.${kind}.${part}`);
  for (const scope of ['openid', 'profile', 'email', 'offline_access', 'other']) used.add(`consent.scope.${scope}`);
  expect(used.size).toBeGreaterThan(40);
  // A plural message is looked up by its base key; i18next picks the form (key_one, key_other, …).
  expect([...used].filter((key) => !(key in english) && !(`${key}_other` in english)).sort()).toEqual([]);
});
