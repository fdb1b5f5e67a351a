import { textDirection } from '../i18n/text-direction.ts';

/** A language as the picker offers it: in its own name and script (Deutsch, العربية, 日本語). */
export interface LanguageChoice {
  locale: string;
  name: string;
  dir: 'ltr' | 'rtl';
}

/** Each shipped locale named by the platform's ICU data in that language, capitalised as a menu item is. */
export function languageChoices(locales: readonly string[]): LanguageChoice[] {
  return locales.map((locale) => {
    const own = new Intl.DisplayNames([locale], { type: 'language' }).of(locale) ?? locale;
    return { locale, name: own.charAt(0).toLocaleUpperCase(locale) + own.slice(1), dir: textDirection(locale) };
  });
}
