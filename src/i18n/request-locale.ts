import type { Context, Next } from 'koa';
import type { KeylineState } from '../http/keyline-state.ts';
import type { I18n } from './i18n.ts';
import { negotiateLocale } from './negotiate-locale.ts';

/** The `ui_locales` the app asked for: on the interaction being shown, or on the protocol request. */
function uiLocalesOf(ctx: Context & { state: KeylineState }): unknown {
  return ctx.state.interaction?.params.ui_locales
    ?? (ctx as unknown as { oidc?: { params?: { ui_locales?: unknown } } }).oidc?.params?.ui_locales;
}

/**
 * Gives each request `ctx.state.locale` and `ctx.state.t`. Both are worked out when read, because
 * `ui_locales` is only known once the interaction or the protocol parameters have been loaded.
 */
export function requestLocale(i18n: I18n) {
  return async (ctx: Context & { state: KeylineState }, next: Next): Promise<void> => {
    Object.defineProperties(ctx.state, {
      locale: {
        configurable: true,
        get: () => negotiateLocale({
          uiLocales: uiLocalesOf(ctx),
          // The default goes first, so `Accept-Language: *` (what fetch sends) gets the default.
          acceptLanguageMatches: ctx.get('accept-language') ? [ctx.acceptsLanguages(i18n.preferenceOrder) || ''].filter(Boolean) : [],
        }, i18n.locales, i18n.defaultLocale),
      },
      t: { configurable: true, get: () => i18n.translator(ctx.state.locale) },
    });
    await next();
  };
}
