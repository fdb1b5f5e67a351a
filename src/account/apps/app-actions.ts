import type { AccountContext, AccountDeps } from '../account-context.ts';

/**
 * "Remove access": the remembered consent is forgotten and the client's grants for this person end
 * with their tokens, so its refresh token fails at once; it must ask again next time.
 */
export function removeAppAccess(deps: AccountDeps) {
  return async (ctx: AccountContext): Promise<void> => {
    const { account } = ctx.state.signedIn!;
    const clientId = ctx.params.clientId ?? '';
    const removed = await deps.accounts.removeClientAccess(account.id, clientId);
    if (removed.consentRemoved || removed.grantsEnded) {
      await deps.securityEvents.record({
        type: 'consent.revoked', actor: `user:${account.id}`, accountId: account.id, email: account.email, clientId, ip: ctx.ip,
        requestId: ctx.state.requestId, data: { grantsEnded: removed.grantsEnded, during: 'account' },
      }, ctx.state.log);
    }
    ctx.status = 303;
    ctx.redirect('/account/apps?done=removed');
  };
}
