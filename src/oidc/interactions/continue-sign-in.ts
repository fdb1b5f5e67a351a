import { decideNextStep } from './decide-next-step.ts';
import { interactionResultLocation } from './finish-interaction.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';
import type { SignInProgress } from './sign-in-progress.ts';

/** How a step answers: a 303 for a form post, or `{ location }` for the passkey script's fetch. */
export type Answer = 'redirect' | 'json';

function send(ctx: InteractionContext, location: string, answer: Answer): void {
  if (answer === 'json') {
    ctx.body = { location };
    return;
  }
  ctx.status = 303;
  ctx.redirect(location);
}

/**
 * After a step proved something: either the sign-in is complete (oidc-provider gets the account,
 * the methods used and the level reached), or the progress is kept and the interaction page shows
 * what is still needed, or the account cannot reach what the request needs and the app is told
 * (`unmet_authentication_requirements`) rather than sent round again.
 */
export async function continueSignIn(deps: InteractionDeps, ctx: InteractionContext, progress: SignInProgress, answer: Answer = 'redirect'): Promise<void> {
  const interaction = ctx.state.interaction!;
  const step = await decideNextStep(deps, interaction, progress);
  if (step.step === 'unmet') {
    await deps.secondFactors.progress.forget(interaction.uid);
    await deps.securityEvents.record({
      type: 'login.failed', actor: `user:${progress.accountId}`, accountId: progress.accountId,
      clientId: String(interaction.params.client_id), ip: ctx.ip, requestId: ctx.state.requestId,
      data: { method: progress.amr.filter((method) => method !== 'mfa').join('+'), reason: 'unmet_authentication_requirements', interaction: interaction.uid },
    }, ctx.state.log);
    send(ctx, await interactionResultLocation(deps, ctx, {
      error: 'unmet_authentication_requirements',
      error_description: 'The account has no second factor that reaches the sign-in level this request requires.',
    }), answer);
    return;
  }
  if (step.step !== 'finish') {
    await deps.secondFactors.progress.save(interaction.uid, progress);
    send(ctx, `/interaction/${interaction.uid}`, answer);
    return;
  }
  await deps.secondFactors.progress.forget(interaction.uid);
  await deps.securityEvents.record({
    type: 'login.succeeded', actor: `user:${progress.accountId}`, accountId: progress.accountId,
    clientId: String(interaction.params.client_id), ip: ctx.ip, requestId: ctx.state.requestId,
    data: { method: progress.amr.filter((method) => method !== 'mfa').join('+'), acr: step.acr, remember: progress.remember, interaction: interaction.uid },
  }, ctx.state.log);
  const location = await interactionResultLocation(deps, ctx, {
    login: { accountId: progress.accountId, amr: progress.amr, acr: step.acr, remember: progress.remember, ts: progress.authTime },
  });
  send(ctx, location, answer);
}
