import type { Context } from 'koa';

/**
 * The picker's cookie: the locale, and the interaction it was picked on, as `pt-BR` or `pt-BR.<uid>`.
 * Over https it is `__Host-keyline.language`: a sibling subdomain or a plain-http answer could
 * otherwise plant the plain name with Domain= and force the language another site's form may not.
 */
export function pickedLanguageCookie(ctx: Pick<Context, 'secure'>): string {
  return ctx.secure ? '__Host-keyline.language' : 'keyline.language';
}
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;
const SHAPE = /^([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)(?:\.([\w-]{1,64}))?$/;

export interface PickedLanguage {
  locale: string;
  interaction?: string;
}

/** What the cookie says, if it is well formed; whether the locale is shipped is the negotiation's question. */
export function pickedLanguageOf(ctx: Context): PickedLanguage | undefined {
  const match = SHAPE.exec(ctx.cookies.get(pickedLanguageCookie(ctx)) ?? '');
  if (!match) return undefined;
  return match[2] ? { locale: match[1]!, interaction: match[2] } : { locale: match[1]! };
}

/**
 * A preference, not a credential: unsigned (the person may set it to anything; only shipped
 * locales are ever used), SameSite=Lax, Secure and host-only over https, and HttpOnly since no script reads it.
 */
export function rememberPickedLanguage(ctx: Context, picked: PickedLanguage): void {
  ctx.cookies.set(pickedLanguageCookie(ctx), picked.interaction ? `${picked.locale}.${picked.interaction}` : picked.locale, {
    signed: false, httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/', maxAge: ONE_YEAR_MS, overwrite: true,
  });
}
