import { ACR, isAcrValue, satisfies } from '../../accounts/authentication-level.ts';
import type { AccountContext, AccountDeps } from '../account-context.ts';
import type { SignInRequirement } from '../account-sign-in.ts';
import { SessionAddedFactors } from './session-added-factors.ts';

/** How recent a sign-in must be to see or change sign-in methods (as Google and GitHub ask again). */
export const SECURITY_SIGN_IN_MAX_AGE_SECONDS = 600;

/**
 * Changing how an account signs in needs a recent sign-in, and, when the account had a second
 * factor before that sign-in, one that used it: a stolen session cookie or a guessed password
 * alone cannot remove a factor or add an attacker's. A factor added during this session (just
 * proven by its first code or passkey) does not make that session ask again; the next sign-in does.
 */
export function securitySignIn(deps: AccountDeps, now: () => number = Date.now) {
  return async (ctx: AccountContext): Promise<SignInRequirement | undefined> => {
    const { account, loginTs, acr } = ctx.state.signedIn!;
    const stale = Math.floor(now() / 1000) - loginTs > SECURITY_SIGN_IN_MAX_AGE_SECONDS;
    const addedHere = await new SessionAddedFactors(deps.store).list(ctx.state.signedIn!.sessionUid);
    const hadFactor = (await deps.store.factors.listByAccount(account.id)).some((factor) => !addedHere.includes(factor.id));
    const weak = hadFactor && !satisfies(acr && isAcrValue(acr) ? acr : ACR.password, ACR.multiFactor);
    if (!stale && !weak) return undefined;
    return { maxAgeSeconds: stale ? SECURITY_SIGN_IN_MAX_AGE_SECONDS : undefined, acr: weak ? ACR.multiFactor : undefined };
  };
}
