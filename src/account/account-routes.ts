import Router from '@koa/router';
import { parseForm } from '../http/parse-form.ts';
import { parseJson } from '../http/parse-json.ts';
import type { AccountContext, AccountDeps } from './account-context.ts';
import { accountCallback, redirectToSignIn } from './account-sign-in.ts';
import { requireSignedIn } from './account-session.ts';
import { checkAccountCsrf } from './check-account-csrf.ts';
import { sendVerificationLink } from './profile/send-verification-link.ts';
import { removeFactor, renameFactor } from './security/factor-actions.ts';
import { addPasskey, passkeyRegistrationOptions } from './security/passkey-actions.ts';
import { regenerateRecoveryCodes } from './security/recovery-code-actions.ts';
import { securitySignIn } from './security/security-sign-in.ts';
import { renderSecurityPage } from './security/security-page.ts';
import { confirmTotpSetUp, startTotpSetUp } from './security/totp-actions.ts';

/** The account pages: where a person manages how they sign in. Each route is the list of its steps. */
export function accountRoutes(deps: AccountDeps): Router {
  const router = new Router({ prefix: '/account' });
  // Pages about one person's account are never cached, by the browser or anything between.
  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  const security = requireSignedIn(deps, { returnTo: '/account/security', recent: securitySignIn(deps) });
  const csrf = checkAccountCsrf(deps);

  router.get('/', (ctx) => ctx.redirect('/account/security'));
  router.get('/sign-in', (ctx: AccountContext) => redirectToSignIn(ctx, deps.provider.issuer, ctx.query.next));
  router.get('/callback', accountCallback);
  router.get('/security', security, (ctx: AccountContext) => renderSecurityPage(deps, ctx));
  router.post('/security/passkeys/options', parseJson, security, csrf, passkeyRegistrationOptions(deps));
  router.post('/security/passkeys', parseJson, security, csrf, addPasskey(deps));
  router.post('/security/totp', parseForm, security, csrf, startTotpSetUp(deps));
  router.post('/security/totp/confirm', parseForm, security, csrf, confirmTotpSetUp(deps));
  router.post('/security/factors/:id/rename', parseForm, security, csrf, renameFactor(deps));
  router.post('/security/factors/:id/remove', parseForm, security, csrf, removeFactor(deps));
  router.post('/security/recovery-codes', parseForm, security, csrf, regenerateRecoveryCodes(deps));
  router.post('/email/verification', parseForm, requireSignedIn(deps, { returnTo: '/account' }), csrf, sendVerificationLink(deps));
  return router;
}
