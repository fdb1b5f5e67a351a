import type { AmrValue } from '../../accounts/authentication-level.ts';
import type { InteractionDetails } from '../../http/keyline-state.ts';
import { STRONGER_SIGN_IN } from '../sign-in-policy.ts';
import type { InteractionDeps } from './interaction-context.ts';
import type { SignInProgress } from './sign-in-progress.ts';

/**
 * What this interaction has proven: the progress an earlier step kept, or, when a signed-in session
 * is here only because the request needs a stronger sign-in (step-up), what the session proved
 * already, so only the missing factor is asked for and not the password again. Only an account that
 * has a second factor is stepped up so: one without would be offered to set one up on the strength
 * of the session cookie alone.
 */
export async function signInProgressOf(deps: InteractionDeps, interaction: InteractionDetails): Promise<SignInProgress | undefined> {
  const kept = await deps.secondFactors.progress.load(interaction.uid);
  if (kept) return kept;
  const session = interaction.session;
  // Only when strength is the one reason: prompt=login or an expired max_age still ask for everything.
  const onlyStrength = interaction.prompt.reasons.length > 0 && interaction.prompt.reasons.every((reason) => reason === STRONGER_SIGN_IN);
  if (!session?.accountId || !onlyStrength) return undefined;
  // With no second factor there is nothing missing to ask for, and a session alone (a copied cookie)
  // must never set one up: such an account signs in again with its password, then sets one up.
  if ((await deps.store.factors.listByAccount(session.accountId)).length === 0) return undefined;
  const stored = session.uid ? await deps.store.oidc.findByUid('Session', session.uid) : undefined;
  if (typeof stored?.loginTs !== 'number') return undefined;
  const progress: SignInProgress = {
    accountId: session.accountId,
    amr: (session.amr ?? ['pwd']) as AmrValue[],
    remember: stored.transient !== true,
    // The factor proves who holds it now, not the password: the sign-in stays as old as the
    // session's, so a copied cookie and a code never pass for a recent sign-in (max_age, the account pages).
    authTime: stored.loginTs,
  };
  await deps.secondFactors.progress.save(interaction.uid, progress);
  return progress;
}
