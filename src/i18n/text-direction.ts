/** The writing direction of a locale, for `dir` on <html>: the right-to-left scripts' languages, by primary subtag. */
const RIGHT_TO_LEFT = new Set(['ar', 'he', 'fa', 'ur']);

export function textDirection(locale: string): 'rtl' | 'ltr' {
  return RIGHT_TO_LEFT.has(locale.toLowerCase().split(/[-_]/)[0]!) ? 'rtl' : 'ltr';
}
