import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError } from '../config/config-error.ts';

/** Replacement copy for one locale, from one place (the config's `messages`, or a file in the overrides folder). */
export interface MessageOverrides {
  /** Where it came from, as the config key a problem names (`messages.en`, `i18n.overridesDirectory (…/de.json)`). */
  source: string;
  locale: string;
  /** Flat dotted keys, as the templates look them up: `"login.title": "Welcome back"`. */
  messages: Record<string, string>;
}

/** `{ a: { b: "x" } }` and `{ "a.b": "x" }` alike as `{ "a.b": "x" }`. */
export function flattenMessages(value: unknown, prefix = ''): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { [prefix]: value };
  return Object.assign({}, ...Object.entries(value as Record<string, unknown>)
    .map(([key, child]) => flattenMessages(child, prefix ? `${prefix}.${key}` : key)));
}

export const placeholdersOf = (text: string): string[] => [...new Set([...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1]!))].sort();

/** The config's `messages` and the overrides folder's `<locale>.json` files; the config's come last, so they win. */
export function collectMessageOverrides(messages: Record<string, Record<string, string>> | undefined, directory: string | undefined): MessageOverrides[] {
  const collected: MessageOverrides[] = [];
  if (directory !== undefined) {
    if (!existsSync(directory)) throw new ConfigError([`i18n.overridesDirectory: no folder at ${directory}`]);
    for (const file of readdirSync(directory).filter((name) => name.endsWith('.json')).sort()) {
      const source = `i18n.overridesDirectory (${join(directory, file)})`;
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(join(directory, file), 'utf8'));
      } catch (error) {
        throw new ConfigError([`${source}: not valid JSON (${(error as Error).message})`]);
      }
      const flat = flattenMessages(parsed);
      const notText = Object.keys(flat).filter((key) => typeof flat[key] !== 'string');
      if (notText.length) throw new ConfigError(notText.map((key) => `${source}: "${key}" must be a string`));
      collected.push({ source, locale: basename(file, '.json'), messages: flat as Record<string, string> });
    }
  }
  for (const [locale, overrides] of Object.entries(messages ?? {})) {
    collected.push({ source: `messages.${locale}`, locale, messages: overrides });
  }
  return collected;
}

/**
 * What is wrong with overrides, one line each, naming the key: a locale Keyline does not ship, a
 * key no template looks up (a typo would silently change nothing), or a placeholder the message
 * gets that the new copy drops or one it never gets. Shared values (`{{product}}`) may be used or left out anywhere.
 */
export function overrideProblems(
  overrides: readonly MessageOverrides[], catalogues: Record<string, Record<string, unknown>>, shared: readonly string[],
): string[] {
  const problems: string[] = [];
  const shipped = Object.keys(catalogues);
  for (const { source, locale, messages } of overrides) {
    if (!shipped.includes(locale)) {
      problems.push(`${source}: no catalogue for the locale "${locale}"; shipped: ${shipped.join(', ')}`);
      continue;
    }
    const known = flattenMessages(catalogues[locale]);
    for (const [key, text] of Object.entries(messages)) {
      const original = known[key];
      if (typeof original !== 'string') {
        problems.push(`${source}: "${key}" is not a message key${`${key}_other` in known ? ` (a plural: override ${key}_one, ${key}_other, …)` : ''}`);
        continue;
      }
      const given = placeholdersOf(original);
      const used = placeholdersOf(text);
      const dropped = given.filter((name) => !used.includes(name) && !shared.includes(name));
      const unknown = used.filter((name) => !given.includes(name) && !shared.includes(name));
      if (dropped.length) problems.push(`${source}: "${key}" drops ${dropped.map((name) => `{{${name}}}`).join(', ')}`);
      if (unknown.length) problems.push(`${source}: "${key}" uses ${unknown.map((name) => `{{${name}}}`).join(', ')}, which this message never gets`);
    }
  }
  return problems;
}
