import type { Next } from 'koa';
import { HttpError } from '../../http/http-error.ts';
import type { InteractionDetails } from '../../http/keyline-state.ts';
import { decideNextStep } from './decide-next-step.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';
import type { NextStep, SecondFactorKind } from './next-step.ts';
import type { SignInProgress } from './sign-in-progress.ts';

/** What a step's route does: prove a second factor of a kind, set one up, or acknowledge a notice. */
export type StepRoute = SecondFactorKind | 'enrol-totp' | 'enrol-passkey' | 'notice';

function allows(step: NextStep, route: StepRoute): boolean {
  switch (route) {
    case 'enrol-totp': return step.step === 'enrol' && !step.passkeyOnly;
    case 'enrol-passkey': return step.step === 'enrol';
    case 'notice': return step.step === 'show-recovery-codes' || step.step === 'recovery-codes-left';
    default: return step.step === 'second-factor' && step.offer.includes(route);
  }
}

/**
 * A step's route answers only when the interaction is at that step, as decided from what it proved
 * (next-step.ts): posting to another step's route, out of order or after it, is refused before
 * anything is checked or counted.
 */
export async function assertStep(deps: InteractionDeps, interaction: InteractionDetails, progress: SignInProgress, route: StepRoute): Promise<void> {
  if (!allows(await decideNextStep(deps, interaction, progress), route)) {
    throw new HttpError(400, 'interaction_mismatch', `this sign-in is not at the ${route} step`, { kind: 'expired' });
  }
}

/** The same as a route step, after requireSignInProgress. */
export function requireStep(deps: InteractionDeps, route: StepRoute) {
  return async (ctx: InteractionContext, next: Next): Promise<void> => {
    await assertStep(deps, ctx.state.interaction!, ctx.state.signInProgress!, route);
    await next();
  };
}
