import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import i18next, { type i18n as I18nextInstance, type TFunction } from 'i18next';
import { ConfigError } from '../config/config-error.ts';
import { overrideProblems, type MessageOverrides } from './message-overrides.ts';
import { textDirection } from './text-direction.ts';

export type Translate = (key: string, options?: Record<string, unknown>) => string;

type Catalogue = Record<string, unknown>;

const PLAIN_MESSAGES_AT_MOST = 10_000;

/**
 * Text values wrapped in Unicode isolates (FSI … PDI), for right-to-left messages: an app's name or
 * an address inside an Arabic sentence is laid out on its own, so its neutral ends ("Acme (beta)",
 * "2fa!", "42@example.test") are not pulled into the sentence's direction and reordered. Numbers (`count`) stay numbers.
 */
function isolated(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, typeof value === 'string' ? `\u2068${value}\u2069` : value]));
}

/** Every `locales/<tag>.json` is a language; adding one is adding a file. */
export function readCatalogues(directory: string): Record<string, Catalogue> {
  const catalogues: Record<string, Catalogue> = {};
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.json')).sort()) {
    catalogues[basename(file, '.json')] = JSON.parse(readFileSync(join(directory, file), 'utf8')) as Catalogue;
  }
  return catalogues;
}

/**
 * The one message lookup for everything a person reads: pages, errors, and later mail.
 * Plurals and interpolation come from i18next; missing keys fall back to the default locale.
 */
export class I18n {
  readonly locales: readonly string[];
  readonly defaultLocale: string;
  readonly #i18next: I18nextInstance;
  readonly #translators = new Map<string, TFunction>();
  /** Per locale, what a key without options says: it cannot change once the catalogues are loaded. */
  readonly #plain = new Map<string, Map<string, string>>();
  readonly #shared: Record<string, string>;

  /**
   * `shared` values fill every message's placeholders of the same name, e.g. `{{product}}`.
   * `overrides` (the config's `messages`, the overrides folder) replace catalogue messages; a
   * locale, key or placeholder that does not fit stops the start (ConfigError naming it).
   */
  constructor(directory: string, defaultLocale: string, shared: Record<string, string> = {}, overrides: readonly MessageOverrides[] = []) {
    this.#shared = shared;
    const catalogues = readCatalogues(directory);
    this.locales = Object.keys(catalogues);
    if (!this.locales.includes(defaultLocale)) {
      throw new ConfigError([`i18n.defaultLocale (KEYLINE_DEFAULT_LOCALE): "${defaultLocale}" has no catalogue; available: ${this.locales.join(', ')}`]);
    }
    const problems = overrideProblems(overrides, catalogues, Object.keys(shared));
    if (problems.length) throw new ConfigError(problems);
    this.defaultLocale = defaultLocale;
    this.#i18next = i18next.createInstance();
    void this.#i18next.init({
      resources: Object.fromEntries(Object.entries(catalogues).map(([locale, catalogue]) => [locale, { translation: catalogue }])),
      lng: defaultLocale,
      fallbackLng: defaultLocale,
      supportedLngs: [...this.locales],
      // Pug escapes what it prints; escaping here as well would print &amp; for &.
      interpolation: { escapeValue: false },
      returnNull: false,
      initAsync: false,
    });
    for (const { locale, messages } of overrides) {
      for (const [key, text] of Object.entries(messages)) this.#i18next.addResource(locale, 'translation', key, text);
    }
  }

  /** A lookup fixed to one locale (an unsupported locale gets the default's). */
  translator(locale: string): Translate {
    const chosen = this.locales.includes(locale) ? locale : this.defaultLocale;
    let t = this.#translators.get(chosen);
    let plain = this.#plain.get(chosen);
    if (!t || !plain) {
      t = this.#i18next.getFixedT(chosen);
      plain = new Map();
      this.#translators.set(chosen, t);
      this.#plain.set(chosen, plain);
    }
    const fixed = t;
    const known = plain;
    const rightToLeft = textDirection(chosen) === 'rtl';
    const shared = rightToLeft ? isolated(this.#shared) : this.#shared;
    // A page asks for dozens of messages, each an i18next lookup with interpolation and nesting:
    // the plain ones are worked out once. The bound keeps keys made from request input from growing it.
    return (key, options) => {
      if (options !== undefined) return String(fixed(key, { ...shared, ...(rightToLeft ? isolated(options) : options) }));
      let message = known.get(key);
      if (message === undefined) {
        message = String(fixed(key, { ...shared }));
        if (known.size < PLAIN_MESSAGES_AT_MOST) known.set(key, message);
      }
      return message;
    };
  }
}
