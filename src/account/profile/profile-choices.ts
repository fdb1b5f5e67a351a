import { ownLanguageName } from '../../pages/language-choices.ts';

/**
 * The choices of the profile's time-zone and language selects, and the server's check of what
 * came back: the same lists, so a value the page could not have offered is refused. A value an
 * administrator set outside them (an older zone name, a language Keyline has no catalogue for)
 * stays offered to the person it belongs to, so saving the form never silently changes it.
 */

/** IANA zones as this runtime's ICU knows them, plus UTC (which it lists only as an alias). */
const TIME_ZONES: readonly string[] = [...Intl.supportedValuesOf('timeZone'), 'UTC'].sort();

export function timeZoneChoices(current: string | undefined): string[] {
  return current && !TIME_ZONES.includes(current) ? [current, ...TIME_ZONES] : [...TIME_ZONES];
}

export interface LanguageChoice {
  tag: string;
  /** The language's name in itself ("Deutsch"), as a language picker shows it. */
  label: string;
}

/** The shipped languages (I18n.locales), each named in itself. */
export function languageChoices(shipped: readonly string[], current: string | undefined): LanguageChoice[] {
  const tags = current && !shipped.includes(current) ? [current, ...shipped] : [...shipped];
  return tags.map((tag) => ({ tag, label: ownLanguageName(tag) }));
}

/** A birthdate the date input can show (YYYY-MM-DD); a year alone or 0000-MM-DD (OIDC allows both) stays a text field. */
export function isFullDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !value.startsWith('0000');
}
