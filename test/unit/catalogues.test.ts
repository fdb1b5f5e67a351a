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

test('Keyline ships eight languages: English, German, French, Spanish, Italian, Brazilian Portuguese, Japanese and Arabic', () => {
  expect(Object.keys(catalogues).sort()).toEqual(['ar', 'de', 'en', 'es', 'fr', 'it', 'ja', 'pt-BR']);
});

const others = Object.keys(flat).filter((locale) => locale !== 'en');
const pluralBases = (messages: Record<string, string>) => [...new Set(Object.keys(messages).filter((key) => PLURAL_SUFFIX.test(key)).map((key) => key.replace(PLURAL_SUFFIX, '')))];
const categoriesOf = (locale: string) => new Intl.PluralRules(locale).resolvedOptions().pluralCategories as string[];
/** The English message a translated key says: its own key, or for any plural form the English `_other` (the form with every placeholder). */
const englishFor = (key: string) => (PLURAL_SUFFIX.test(key) ? english[`${key.replace(PLURAL_SUFFIX, '')}_other`] : english[key]);

test.each(others)('the %s catalogue has every message the English one has, and no other', (locale) => {
  const messages = flat[locale]!;
  const mine = new Set(baseKeys(messages));
  const theirs = new Set(baseKeys(english));
  expect([...theirs].filter((key) => !mine.has(key)).map((key) => `${locale}: missing ${key}`)).toEqual([]);
  expect([...mine].filter((key) => !theirs.has(key)).map((key) => `${locale}: ${key} is not in en.json`)).toEqual([]);
  expect(Object.entries(messages).filter(([, text]) => !text.trim()).map(([key]) => `${locale}: ${key} is empty`)).toEqual([]);
});

test.each(Object.keys(flat))('every plural message in %s has each plural form the language needs, and no other', (locale) => {
  const messages = flat[locale]!;
  const categories = categoriesOf(locale);
  const problems: string[] = [];
  for (const key of pluralBases(english)) {
    for (const category of categories) if (!(`${key}_${category}` in messages)) problems.push(`${locale}: missing ${key}_${category}`);
    if (key in messages) problems.push(`${locale}: ${key} must be given as its plural forms`);
  }
  for (const key of Object.keys(messages).filter((name) => PLURAL_SUFFIX.test(name))) {
    if (!categories.includes(PLURAL_SUFFIX.exec(key)![1]!)) problems.push(`${locale}: ${key} is a form ${locale} does not have`);
  }
  expect(problems).toEqual([]);
});

/** A plural form that stands for a single number (Arabic _zero/_one/_two, English _one) may say that number in words. */
function formOfOneNumber(locale: string, key: string): boolean {
  const category = PLURAL_SUFFIX.exec(key)?.[1];
  if (!category) return false;
  const rules = new Intl.PluralRules(locale);
  return Array.from({ length: 1000 }, (_, n) => n).filter((n) => rules.select(n) === category).length === 1;
}

test.each(others)('every %s message fills the placeholders the English one has, and no others', (locale) => {
  const problems: string[] = [];
  for (const [key, text] of Object.entries(flat[locale]!)) {
    const source = englishFor(key);
    if (source === undefined) continue;
    const wanted = placeholders(source).filter((name) => !(name === 'count' && formOfOneNumber(locale, key)));
    const given = placeholders(text);
    for (const name of wanted.filter((name) => !given.includes(name))) problems.push(`${locale}: ${key} drops {{${name}}}`);
    for (const name of given.filter((name) => !placeholders(source).includes(name))) problems.push(`${locale}: ${key} adds {{${name}}}`);
  }
  expect(problems).toEqual([]);
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
