import type { AccountContext, AccountDeps } from '../account-context.ts';
import { recordFactorChange } from './factor-change-events.ts';

/** New recovery codes, shown on this response only; the old ones stop working. Needs a second factor to recover. */
export function regenerateRecoveryCodes(deps: AccountDeps) {
  return async (ctx: AccountContext): Promise<void> => {
    const { account } = ctx.state.signedIn!;
    if ((await deps.store.factors.listByAccount(account.id)).length === 0) {
      ctx.status = 303;
      ctx.redirect('/account/security');
      return;
    }
    const codes = await deps.secondFactors.recoveryCodes.regenerate(account.id);
    await recordFactorChange(deps, ctx, 'mfa.recovery_codes_regenerated', { count: codes.length });
    ctx.set('Cache-Control', 'no-store');
    deps.pages.render(ctx, 'recovery-codes', { codes, continueHref: '/account/security', email: account.email });
  };
}
