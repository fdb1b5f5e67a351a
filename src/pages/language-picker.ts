import Router from '@koa/router';
import type { Context } from 'koa';
import { HttpError } from '../http/http-error.ts';
import type { KeylineState } from '../http/keyline-state.ts';
import { parseForm } from '../http/parse-form.ts';
import { rememberPickedLanguage } from '../i18n/picked-language.ts';
import { sameOriginPath } from './same-origin-path.ts';

const INTERACTION_PAGE = /^\/interaction\/([\w-]{1,64})(?:[/?]|$)/;

/**
 * `POST /language` (the picker on every page): remembers the language in a cookie and sends the
 * person back, with 303, to the page they were on (`return`, a path on this server), so an
 * interaction in progress carries on. A choice made on an interaction's page is tied to it, so it
 * beats that sign-in's `ui_locales` (negotiate-locale.ts).
 */
export function languagePicker(deps: { issuer: string; locales: readonly string[] }): Router {
  const router = new Router();
  const issuerOrigin = new URL(deps.issuer).origin;
  router.post('/language', async (ctx: Context & { state: KeylineState }, next) => {
    // Another site's form could switch Keyline's pages to a language the person cannot read, to
    // dress up a phishing step. Browsers say where a form came from in Sec-Fetch-Site; Origin is
    // "null" for Keyline's own forms (Referrer-Policy: no-referrer), so only a real other origin counts.
    const site = ctx.get('sec-fetch-site');
    const origin = ctx.get('origin');
    if ((site && site !== 'same-origin') || (origin && origin !== 'null' && origin !== issuerOrigin)) {
      throw new HttpError(403, 'cross_site_form', 'The language form was sent from another site.', { kind: 'form_expired' });
    }
    await parseForm(ctx, next);
  }, (ctx: Context & { state: KeylineState }) => {
    const form = ctx.state.form ?? {};
    if (!deps.locales.includes(form.locale ?? '')) throw new HttpError(400, 'unknown_locale', 'The language is not one Keyline ships.', { kind: 'bad_request' });
    const back = sameOriginPath(form.return, deps.issuer) ?? '/';
    const interaction = INTERACTION_PAGE.exec(back)?.[1];
    rememberPickedLanguage(ctx, interaction ? { locale: form.locale!, interaction } : { locale: form.locale! });
    ctx.status = 303;
    ctx.redirect(back);
  });
  return router;
}
