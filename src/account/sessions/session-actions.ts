import type { AccountContext, AccountDeps } from '../account-context.ts';

function backWith(ctx: AccountContext, done: string): void {
  ctx.status = 303;
  ctx.redirect(`/account/sessions?done=${done}`);
}

/**
 * Ends one session of the signed-in account, with what was granted through it (its refresh tokens
 * stop working). Ending this one is signing out here, which the logout page does; a session that
 * is already gone (or another account's) changes nothing and answers the same.
 */
export function endOneSession(deps: AccountDeps) {
  return async (ctx: AccountContext): Promise<void> => {
    const { account, sessionUid } = ctx.state.signedIn!;
    const uid = ctx.params.uid ?? '';
    if (uid !== sessionUid && await deps.accounts.endSession(account.id, uid, 'user')) {
      await deps.securityEvents.record({
        type: 'session.revoked', actor: `user:${account.id}`, accountId: account.id, email: account.email, ip: ctx.ip, requestId: ctx.state.requestId,
        data: { sessionUid: uid, during: 'account' },
      }, ctx.state.log);
    }
    backWith(ctx, 'ended');
  };
}

/** "Sign out everywhere else": every other session and grant ends; this one stays. */
export function endOtherSessions(deps: AccountDeps) {
  return async (ctx: AccountContext): Promise<void> => {
    const { account, sessionUid } = ctx.state.signedIn!;
    const ended = await deps.accounts.endOtherSessions(account.id, sessionUid);
    await deps.securityEvents.record({
      type: 'sessions.revoked', actor: `user:${account.id}`, accountId: account.id, email: account.email, ip: ctx.ip, requestId: ctx.state.requestId,
      data: { scope: 'others', sessionsEnded: ended, during: 'account' },
    }, ctx.state.log);
    backWith(ctx, 'others_ended');
  };
}
