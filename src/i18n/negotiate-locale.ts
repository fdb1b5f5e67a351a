export interface LocaleRequest {
  /** The authorization request's `ui_locales`: space-separated tags, most wanted first. */
  uiLocales?: unknown;
  /** The language the person picked on a page (the picker's cookie), if any. */
  picked?: { locale: string; interaction?: string };
  /** The interaction this page belongs to, if any: a choice made on it beats the app's `ui_locales`. */
  interaction?: string;
  /** Accept-Language's tags, best first (Koa's ctx.acceptsLanguages() without arguments). */
  acceptLanguageMatches: string[];
}

const languageOf = (tag: string) => tag.toLowerCase().split('-')[0]!;

/**
 * A supported locale for a tag: the tag itself, else its language alone (de-CH → de), else
 * another locale of the same language (pt and pt-PT → pt-BR, the one Portuguese shipped).
 */
export function supportedFor(tag: string, supported: readonly string[]): string | undefined {
  const wanted = tag.toLowerCase();
  return supported.find((locale) => locale.toLowerCase() === wanted)
    ?? supported.find((locale) => locale.toLowerCase() === languageOf(wanted))
    ?? supported.find((locale) => languageOf(locale) === languageOf(wanted));
}

function firstSupported(tags: readonly string[], supported: readonly string[]): string | undefined {
  for (const tag of tags) {
    const match = supportedFor(tag, supported);
    if (match) return match;
  }
  return undefined;
}

/**
 * ui_locales first (OIDC Core 3.1.2.1), then the picker's choice, then Accept-Language, then the
 * default. A choice made on this very interaction's page comes before its `ui_locales`: the app
 * only guessed, the person then said what they read.
 */
export function negotiateLocale(request: LocaleRequest, supported: readonly string[], defaultLocale: string): string {
  const picked = request.picked && supported.includes(request.picked.locale) ? request.picked : undefined;
  if (picked && request.interaction !== undefined && picked.interaction === request.interaction) return picked.locale;
  const uiLocales = typeof request.uiLocales === 'string' ? request.uiLocales.split(' ').filter(Boolean) : [];
  return firstSupported(uiLocales, supported)
    ?? picked?.locale
    ?? firstSupported(request.acceptLanguageMatches, supported)
    ?? defaultLocale;
}
