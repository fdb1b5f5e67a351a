/**
 * "in 42 seconds" / "in 3 minutes" in the page's language, from the platform's ICU data, so the
 * plural forms are right in every language. assets/keyline.js does the same in the browser as the
 * countdown runs.
 */
export function formatWait(locale: string, seconds: number): string {
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'always' });
  return seconds >= 120 ? format.format(Math.ceil(seconds / 60), 'minute') : format.format(Math.max(1, seconds), 'second');
}
