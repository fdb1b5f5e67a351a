import type { InteractionDetails } from '../../http/keyline-state.ts';
import type { InteractionDeps } from './interaction-context.ts';
import { requirementOf } from './interaction-requirement.ts';
import { nextStep, type NextStep } from './next-step.ts';
import type { SignInProgress } from './sign-in-progress.ts';

/** The next step for this interaction, from what it proved so far and what it needs. */
export async function decideNextStep(deps: InteractionDeps, interaction: InteractionDetails, progress: SignInProgress | undefined): Promise<NextStep> {
  const [required, factors, recoveryCodesLeft] = await Promise.all([
    requirementOf(deps, interaction),
    progress ? deps.store.factors.listByAccount(progress.accountId) : [],
    progress ? deps.secondFactors.recoveryCodes.remaining(progress.accountId) : 0,
  ]);
  return nextStep({ progress, required, factors, recoveryCodesLeft });
}
