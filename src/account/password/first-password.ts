import { hasPassword } from '../../accounts/no-password.ts';
import type { AccountContext, AccountDeps } from '../account-context.ts';
import type { SignInRequirement } from '../account-sign-in.ts';
import { securitySignIn } from '../security/security-sign-in.ts';

/**
 * An account without a password (made from an upstream identity) sets its first one with no
 * current password to type, so a stolen session alone must not be enough: it needs the same recent
 * sign-in (and second factor) as adding a passkey. Changing an existing password asks for it instead.
 */
export function firstPasswordSignIn(deps: AccountDeps) {
  const recent = securitySignIn(deps);
  return async (ctx: AccountContext): Promise<SignInRequirement | undefined> => (hasPassword(ctx.state.signedIn!.account) ? undefined : recent(ctx));
}
