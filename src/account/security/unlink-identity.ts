import { unlinkIdentity } from '../../federation/linked-identities.ts';
import type { AccountContext, AccountDeps } from '../account-context.ts';
import { renderSecurityPage } from './security-page.ts';

/**
 * "Unlink" on the security page: only one of the signed-in person's own links (looked up under
 * their account, whatever the form says), only while another way in remains, and audited.
 */
export function unlinkOwnIdentity(deps: AccountDeps) {
  return async (ctx: AccountContext): Promise<void> => {
    const { account } = ctx.state.signedIn!;
    const upstreamId = String(ctx.state.form?.upstream ?? '').slice(0, 100);
    const subject = String(ctx.state.form?.subject ?? '').slice(0, 2000);
    const outcome = await unlinkIdentity(deps.store, account, upstreamId, subject);
    if (outcome === 'last_way' || outcome === 'busy') {
      await renderSecurityPage(deps, ctx, { linkError: outcome, status: 409 });
      return;
    }
    if (outcome === 'unlinked') {
      await deps.securityEvents.record({
        type: 'federation.unlinked', actor: `user:${account.id}`, accountId: account.id, email: account.email, ip: ctx.ip, requestId: ctx.state.requestId,
        data: { upstream: upstreamId, during: 'account' },
      }, ctx.state.log);
    }
    ctx.status = 303;
    ctx.redirect('/account/security?done=unlinked');
  };
}
