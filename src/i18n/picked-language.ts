import type { Context } from 'koa';

/** The picker's cookie: the locale, and the interaction it was picked on, as `pt-BR` or `pt-BR.<uid>`. */
export const PICKED_LANGUAGE_COOKIE = 'keyline.language';
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;
const SHAPE = /^([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)(?:\.([\w-]{1,64}))?$/;

export interface PickedLanguage {
  locale: string;
  interaction?: string;
}

/** What the cookie says, if it is well formed; whether the locale is shipped is the negotiation's question. */
export function pickedLanguageOf(ctx: Context): PickedLanguage | undefined {
  const match = SHAPE.exec(ctx.cookies.get(PICKED_LANGUAGE_COOKIE) ?? '');
  if (!match) return undefined;
  return match[2] ? { locale: match[1]!, interaction: match[2] } : { locale: match[1]! };
}

/**
 * A preference, not a credential: unsigned (the person may set it to anything; only shipped
 * locales are ever used), SameSite=Lax, Secure over https, and HttpOnly since no script reads it.
 */
export function rememberPickedLanguage(ctx: Context, picked: PickedLanguage): void {
  ctx.cookies.set(PICKED_LANGUAGE_COOKIE, picked.interaction ? `${picked.locale}.${picked.interaction}` : picked.locale, {
    signed: false, httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/', maxAge: ONE_YEAR_MS, overwrite: true,
  });
}
