import type { Context } from 'koa';
import type { KeylineState } from '../http/keyline-state.ts';
import type { I18n, Translate } from './i18n.ts';
import { negotiateLocale } from './negotiate-locale.ts';
import { pickedLanguageOf } from './picked-language.ts';

type StatefulContext = Context & { state: Partial<KeylineState> };

/** The `ui_locales` the app asked for: on the interaction being shown, or on the protocol request. */
function uiLocalesOf(ctx: StatefulContext): unknown {
  return ctx.state.interaction?.params.ui_locales
    ?? (ctx as unknown as { oidc?: { params?: { ui_locales?: unknown } } }).oidc?.params?.ui_locales;
}

/** How a request's `ctx.state.locale` and `ctx.state.t` are worked out (see http/request-state.ts). */
export interface RequestLocale {
  locale(ctx: Context): string;
  t(ctx: Context): Translate;
}

/** ui_locales > the picker's choice > Accept-Language > i18n.defaultLocale, worked out at each read. */
export function requestLocale(i18n: I18n): RequestLocale {
  const locale = (ctx: StatefulContext) => negotiateLocale({
    uiLocales: uiLocalesOf(ctx),
    picked: pickedLanguageOf(ctx),
    interaction: ctx.state.interaction?.uid,
    // Accept-Language's tags by preference; `*` (what fetch sends) matches nothing, so gets the default.
    acceptLanguageMatches: ctx.get('accept-language') ? ctx.acceptsLanguages() : [],
  }, i18n.locales, i18n.defaultLocale);
  return { locale, t: (ctx) => i18n.translator(locale(ctx)) };
}
