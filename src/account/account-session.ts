import type { Next } from 'koa';
import { csrfTokenFor } from '../oidc/interactions/csrf-token.ts';
import type { AccountContext, AccountDeps } from './account-context.ts';
import { accountPath, redirectToSignIn, type SignInRequirement } from './account-sign-in.ts';

/** The passkey script's calls cannot follow a sign-in redirect: they are told where to go instead. */
function signInFirst(ctx: AccountContext, issuer: string, back: string, requirement?: SignInRequirement): void {
  if (ctx.state.json) {
    ctx.status = 401;
    ctx.body = { error: 'sign_in_required', location: `/account/sign-in?next=${encodeURIComponent(accountPath(back))}` };
    return;
  }
  redirectToSignIn(ctx, issuer, back, requirement);
}

/**
 * The account pages see who is signed in from Keyline's own session cookie and the session in the
 * store (any node can answer; a revoked session is gone at once). Without one, the person signs in
 * through /auth and comes back to the page. GET pages return to themselves; a form post to the
 * section it came from (`returnTo`), since a redirect cannot repeat a POST.
 */
export function requireSignedIn(deps: AccountDeps, options: { returnTo?: string; recent?: (ctx: AccountContext) => Promise<SignInRequirement | undefined> } = {}) {
  return async (ctx: AccountContext, next: Next): Promise<void> => {
    const back = ctx.method === 'GET' ? ctx.path : options.returnTo ?? '/account/security';
    const sessionId = ctx.cookies.get(deps.provider.cookieName('session'), { signed: true });
    const session = sessionId ? await deps.provider.Session.find(sessionId) : undefined;
    const account = session?.accountId ? await deps.accounts.findById(session.accountId) : undefined;
    if (!session || !account || account.disabled) {
      signInFirst(ctx, deps.provider.issuer, back);
      return;
    }
    ctx.state.signedIn = {
      account,
      sessionUid: session.uid,
      loginTs: session.loginTs ?? 0,
      acr: session.acr,
      csrfToken: csrfTokenFor(deps.csrfSecret, `account:${session.uid}`),
    };
    const stronger = await options.recent?.(ctx);
    if (stronger) {
      signInFirst(ctx, deps.provider.issuer, back, stronger);
      return;
    }
    await next();
  };
}
