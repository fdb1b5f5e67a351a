import { MIN_PASSWORD_LENGTH, type PasswordProblemCode } from '../../accounts/password-policy.ts';
import { hasPassword } from '../../accounts/no-password.ts';
import type { AccountContext, AccountDeps } from '../account-context.ts';

export type PasswordError = 'wrong_password' | 'throttled' | PasswordProblemCode;

/** The password section: current password, new password, and what happened last. */
export function renderPasswordPage(
  deps: AccountDeps, ctx: AccountContext,
  { error, retryAfterSeconds, status = 200 }: { error?: PasswordError; retryAfterSeconds?: number; status?: number } = {},
): void {
  const { account, csrfToken } = ctx.state.signedIn!;
  deps.pages.render(ctx, 'account-password', {
    page: 'password',
    csrfToken,
    email: account.email,
    hasPassword: hasPassword(account),
    minLength: MIN_PASSWORD_LENGTH,
    done: ctx.query.done === 'changed' ? 'changed' : undefined,
    error,
    retryAfterSeconds,
  }, { status });
}
