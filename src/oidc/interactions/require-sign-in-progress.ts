import type { Next } from 'koa';
import { HttpError } from '../../http/http-error.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';

/**
 * A second-factor step continues only what an earlier step of THIS interaction proved, as kept in
 * the store: posting to it directly, from another interaction, or after the interaction ended,
 * finds nothing and is refused.
 */
export function requireSignInProgress(deps: InteractionDeps) {
  return async (ctx: InteractionContext, next: Next): Promise<void> => {
    const progress = await deps.secondFactors.progress.load(ctx.state.interaction!.uid);
    if (!progress) throw new HttpError(400, 'interaction_mismatch', 'no first factor was proven in this interaction', { kind: 'expired' });
    ctx.state.signInProgress = progress;
    await next();
  };
}
