import { removeUser } from '../../accounts/user-administration.ts';
import { auditedChange, type AuditedRunner } from '../../audit/audited-change.ts';
import type { AccountContext, AccountDeps } from '../account-context.ts';

/** Where the browser lands once the account is gone: a page about nobody. */
export const GOODBYE_PATH = '/account/deleted';

/** "Delete my account": the confirmation page (behind the security pages' fresh sign-in). */
export function renderDeletePage(deps: AccountDeps, ctx: AccountContext): void {
  const { account, csrfToken } = ctx.state.signedIn!;
  deps.pages.render(ctx, 'account-delete', { page: 'data', csrfToken, email: account.email });
}

/**
 * Removes the signed-in account through the administrators' removal (removeUser), as the person:
 * every session, grant and token ends with a logout token and a session-revoked signal for each
 * client, then factors, consents, memberships and grants go. Two presses at once remove it once;
 * the press that finds it gone already lands on the same goodbye page.
 */
export function deleteAccount(deps: AccountDeps) {
  return async (ctx: AccountContext): Promise<void> => {
    const { account } = ctx.state.signedIn!;
    const audited: AuditedRunner = (event, change) => auditedChange(deps.securityEvents, {
      ...event, actor: `user:${account.id}`, ip: ctx.ip, requestId: ctx.state.requestId, data: { ...event.data, during: 'account' },
    }, change);
    try {
      await removeUser({ accounts: deps.accounts, audited }, account, 'user');
    } catch (error) {
      if (await deps.accounts.findById(account.id)) throw error;
    }
    // The session it names is gone: nothing of the account stays in the browser. Only here, never
    // on the goodbye page, which any site can link to (that would sign its visitors out).
    ctx.cookies.set(deps.provider.cookieName('session'), null, { path: '/', signed: true, httpOnly: true, sameSite: 'lax', secure: ctx.secure });
    ctx.status = 303;
    ctx.redirect(GOODBYE_PATH);
  };
}

/** The goodbye page: shown to anyone who opens it, since it says nothing about anybody. */
export function renderGoodbyePage(deps: AccountDeps, ctx: AccountContext): void {
  deps.pages.render(ctx, 'account-deleted');
}
