import { continueSignIn } from './continue-sign-in.ts';
import { factorEnrolled } from './first-factor-enrolled.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';
import { renderSignInStep } from './render-sign-in-step.ts';
import { throttleSecondFactor } from './throttle-second-factor.ts';

/**
 * "Set up now": the first code from the newly scanned app turns the pending secret into a factor
 * (once per interaction; it does not count toward this sign-in's level, see next-step.ts).
 */
export function confirmTotpEnrolment(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const interaction = ctx.state.interaction!;
    const progress = ctx.state.signInProgress!;
    const enrolmentId = progress.pendingTotpEnrolment;
    const attempt = await throttleSecondFactor(deps, ctx, progress, 'totp');
    if (!attempt) return;
    const name = (ctx.state.form?.name ?? '').trim().slice(0, 80) || ctx.state.t('factors.defaultTotpName');
    const factor = enrolmentId
      ? await deps.secondFactors.totp.confirmEnrolment(
        progress.accountId, enrolmentId, ctx.state.form?.code ?? '', name, () => deps.secondFactors.progress.claimEnrolment(interaction.uid),
      )
      : undefined;
    if (!factor) {
      await attempt.failed();
      await renderSignInStep(deps, ctx, interaction, progress, { error: 'wrong_code', status: 401 });
      return;
    }
    await attempt.succeeded();
    await continueSignIn(deps, ctx, await factorEnrolled(deps, ctx, progress, factor));
  };
}
