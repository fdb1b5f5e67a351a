import type { InteractionResults } from 'oidc-provider';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';

/** Hands the result back to oidc-provider and sends the browser on with a 303 (never re-POST). */
export async function finishInteraction(
  { provider }: InteractionDeps,
  ctx: InteractionContext,
  result: InteractionResults,
): Promise<void> {
  const redirectTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(redirectTo);
}
