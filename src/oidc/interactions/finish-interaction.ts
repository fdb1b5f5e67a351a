import type { InteractionResults } from 'oidc-provider';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';

/** Hands the result back to oidc-provider; returns where the browser goes next. */
export function interactionResultLocation({ provider }: InteractionDeps, ctx: InteractionContext, result: InteractionResults): Promise<string> {
  return provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
}

/** Hands the result back to oidc-provider and sends the browser on with a 303 (never re-POST). */
export async function finishInteraction(deps: InteractionDeps, ctx: InteractionContext, result: InteractionResults): Promise<void> {
  const redirectTo = await interactionResultLocation(deps, ctx, result);
  ctx.status = 303;
  ctx.redirect(redirectTo);
}
