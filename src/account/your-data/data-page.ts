import type { AccountContext, AccountDeps } from '../account-context.ts';

/** "Your data": download everything Keyline holds about you, and (where the operator allows it) delete the account. */
export function renderDataPage(deps: AccountDeps, ctx: AccountContext): void {
  const { account, csrfToken } = ctx.state.signedIn!;
  deps.pages.render(ctx, 'account-data', { page: 'data', csrfToken, email: account.email, selfDelete: deps.selfDelete });
}
