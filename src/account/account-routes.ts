import Router from '@koa/router';
import { parseForm } from '../http/parse-form.ts';
import { parseJson } from '../http/parse-json.ts';
import type { AccountContext, AccountDeps } from './account-context.ts';
import { accountCallback, redirectToSignIn } from './account-sign-in.ts';
import { requireSignedIn } from './account-session.ts';
import { checkAccountCsrf } from './check-account-csrf.ts';
import { renderAccessPage } from './access/access-page.ts';
import { saveAttributes } from './access/attribute-actions.ts';
import { removeAppAccess } from './apps/app-actions.ts';
import { renderAppsPage } from './apps/apps-page.ts';
import { changePassword } from './password/password-actions.ts';
import { renderPasswordPage } from './password/password-page.ts';
import { firstPasswordSignIn } from './password/first-password.ts';
import { saveProfile } from './profile/profile-actions.ts';
import { renderProfilePage } from './profile/profile-page.ts';
import { endOneSession, endOtherSessions } from './sessions/session-actions.ts';
import { renderSessionsPage } from './sessions/sessions-page.ts';
import { sendVerificationLink } from './profile/send-verification-link.ts';
import { removeFactor, renameFactor } from './security/factor-actions.ts';
import { addPasskey, passkeyRegistrationOptions } from './security/passkey-actions.ts';
import { regenerateRecoveryCodes } from './security/recovery-code-actions.ts';
import { securitySignIn } from './security/security-sign-in.ts';
import { unlinkOwnIdentity } from './security/unlink-identity.ts';
import { renderSecurityPage } from './security/security-page.ts';
import { confirmTotpSetUp, startTotpSetUp } from './security/totp-actions.ts';
import { renderDataPage } from './your-data/data-page.ts';
import { downloadData } from './your-data/download-data.ts';
import { deleteAccount, renderDeletePage, renderGoodbyePage } from './your-data/delete-account.ts';

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

  const signedIn = (section: string) => requireSignedIn(deps, { returnTo: section });
  router.get('/', signedIn('/account'), (ctx: AccountContext) => renderProfilePage(deps, ctx));
  router.post('/profile', parseForm, signedIn('/account'), csrf, saveProfile(deps));
  // A first password (an account made from an upstream identity has none) needs the fresh sign-in that changing sign-in methods needs.
  const passwordSection = requireSignedIn(deps, { returnTo: '/account/password', recent: firstPasswordSignIn(deps) });
  router.get('/password', passwordSection, (ctx: AccountContext) => renderPasswordPage(deps, ctx));
  router.post('/password', parseForm, passwordSection, csrf, changePassword(deps));
  router.get('/sessions', signedIn('/account/sessions'), (ctx: AccountContext) => renderSessionsPage(deps, ctx));
  router.post('/sessions/end-others', parseForm, signedIn('/account/sessions'), csrf, endOtherSessions(deps));
  router.post('/sessions/:uid/end', parseForm, signedIn('/account/sessions'), csrf, endOneSession(deps));
  router.get('/apps', signedIn('/account/apps'), (ctx: AccountContext) => renderAppsPage(deps, ctx));
  router.post('/apps/:clientId/remove', parseForm, signedIn('/account/apps'), csrf, removeAppAccess(deps));
  router.get('/access', signedIn('/account/access'), (ctx: AccountContext) => renderAccessPage(deps, ctx));
  router.post('/access/attributes', parseForm, signedIn('/account/access'), csrf, saveAttributes(deps));
  router.get('/sign-in', (ctx: AccountContext) => redirectToSignIn(ctx, deps.provider.issuer, ctx.query.next));
  router.get('/callback', accountCallback);
  router.get('/security', security, (ctx: AccountContext) => renderSecurityPage(deps, ctx));
  router.post('/security/passkeys/options', parseJson, security, csrf, passkeyRegistrationOptions(deps));
  router.post('/security/passkeys', parseJson, security, csrf, addPasskey(deps));
  router.post('/security/totp', parseForm, security, csrf, startTotpSetUp(deps));
  router.post('/security/totp/confirm', parseForm, security, csrf, confirmTotpSetUp(deps));
  router.post('/security/factors/:id/rename', parseForm, security, csrf, renameFactor(deps));
  router.post('/security/factors/:id/remove', parseForm, security, csrf, removeFactor(deps));
  router.post('/security/identities/unlink', parseForm, security, csrf, unlinkOwnIdentity(deps));
  router.post('/security/recovery-codes', parseForm, security, csrf, regenerateRecoveryCodes(deps));
  router.get('/data', signedIn('/account/data'), (ctx: AccountContext) => renderDataPage(deps, ctx));
  router.post('/data/download', parseForm, signedIn('/account/data'), csrf, downloadData(deps));
  if (deps.selfDelete) {
    // Deleting is as sensitive as changing how the account signs in: the same fresh sign-in (and its second factor).
    const recentForDeletion = requireSignedIn(deps, { returnTo: '/account/delete', recent: securitySignIn(deps) });
    router.get('/delete', recentForDeletion, (ctx: AccountContext) => renderDeletePage(deps, ctx));
    router.post('/delete', parseForm, recentForDeletion, csrf, deleteAccount(deps));
    router.get('/deleted', (ctx: AccountContext) => renderGoodbyePage(deps, ctx));
  }
  router.post('/email/verification', parseForm, requireSignedIn(deps, { returnTo: '/account' }), csrf, sendVerificationLink(deps));
  return router;
}
