export interface LocaleRequest {
  /** The authorization request's `ui_locales`: space-separated tags, most wanted first. */
  uiLocales?: unknown;
  /** Accept-Language matches among the supported locales, best first (Koa's ctx.acceptsLanguages). */
  acceptLanguageMatches: string[];
}

/** A supported locale for a tag: the tag itself, or else its language (de-CH → de). */
function supportedFor(tag: string, supported: readonly string[]): string | undefined {
  const wanted = tag.toLowerCase();
  return supported.find((locale) => locale.toLowerCase() === wanted)
    ?? supported.find((locale) => locale.toLowerCase() === wanted.split('-')[0]);
}

/** ui_locales first, then Accept-Language, then the default (OIDC Core 3.1.2.1). */
export function negotiateLocale(request: LocaleRequest, supported: readonly string[], defaultLocale: string): string {
  if (typeof request.uiLocales === 'string') {
    for (const tag of request.uiLocales.split(' ').filter(Boolean)) {
      const match = supportedFor(tag, supported);
      if (match) return match;
    }
  }
  for (const tag of request.acceptLanguageMatches) {
    const match = supportedFor(tag, supported);
    if (match) return match;
  }
  return defaultLocale;
}
