import { withMethods } from './sign-in-progress.ts';
import { continueSignIn } from './continue-sign-in.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';
import { renderSignInStep } from './render-sign-in-step.ts';
import { throttleSecondFactor } from './throttle-second-factor.ts';

/** The code from an authenticator app, after the first factor: accepted once, ±1 time step. */
export function submitTotp(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const interaction = ctx.state.interaction!;
    const progress = ctx.state.signInProgress!;
    const attempt = await throttleSecondFactor(deps, ctx, progress, 'totp');
    if (!attempt) return;
    if (!await deps.secondFactors.totp.verify(progress.accountId, ctx.state.form?.code ?? '')) {
      await attempt.failed();
      await renderSignInStep(deps, ctx, interaction, progress, { error: 'wrong_code', status: 401 });
      return;
    }
    await attempt.succeeded();
    await continueSignIn(deps, ctx, withMethods(progress, ['otp', 'mfa']));
  };
}
