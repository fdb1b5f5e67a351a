import { textDirection } from '../i18n/text-direction.ts';

/** A language as the picker offers it: in its own name and script (Deutsch, العربية, 日本語). */
export interface LanguageChoice {
  locale: string;
  name: string;
  dir: 'ltr' | 'rtl';
}

/**
 * A language tag's name in that language, from the platform's ICU data, capitalised as a menu
 * item is ("Español"); the tag itself when ICU cannot name it. The one naming of languages: the
 * picker on every page and the profile's language select.
 */
export function ownLanguageName(tag: string): string {
  try {
    const own = new Intl.DisplayNames([tag], { type: 'language' }).of(tag) ?? tag;
    return own.charAt(0).toLocaleUpperCase(tag) + own.slice(1);
  } catch {
    return tag;
  }
}

/** The shipped locales, each in its own name and writing direction. */
export function languageChoices(locales: readonly string[]): LanguageChoice[] {
  return locales.map((locale) => ({ locale, name: ownLanguageName(locale), dir: textDirection(locale) }));
}
