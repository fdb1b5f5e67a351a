import { withMethods } from './sign-in-progress.ts';
import { continueSignIn } from './continue-sign-in.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';
import { renderSignInStep } from './render-sign-in-step.ts';
import { throttleSecondFactor } from './throttle-second-factor.ts';

/** A single-use recovery code in place of the second factor; the next page says how many are left. */
export function submitRecoveryCode(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const interaction = ctx.state.interaction!;
    const progress = ctx.state.signInProgress!;
    const attempt = await throttleSecondFactor(deps, ctx, progress, 'recovery_code');
    if (!attempt) return;
    const left = await deps.secondFactors.recoveryCodes.use(progress.accountId, ctx.state.form?.code ?? '');
    if (left === undefined) {
      await attempt.failed();
      await renderSignInStep(deps, ctx, interaction, progress, { error: 'wrong_recovery_code', status: 401 });
      return;
    }
    await attempt.succeeded();
    await deps.securityEvents.record({
      type: 'mfa.recovery_code_used', actor: `user:${progress.accountId}`, accountId: progress.accountId,
      clientId: String(interaction.params.client_id), ip: ctx.ip, requestId: ctx.state.requestId, data: { left },
    }, ctx.state.log);
    await continueSignIn(deps, ctx, { ...withMethods(progress, ['otp', 'mfa']), recoveryCodesLeft: left });
  };
}
