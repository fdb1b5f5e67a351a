import type { Next } from 'koa';
import { HttpError } from '../../http/http-error.ts';
import type { InteractionDetails } from '../../http/keyline-state.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';

/** Loads the interaction named by the cookie and checks that it is the one in the URL. */
export function loadInteraction({ provider }: InteractionDeps) {
  return async (ctx: InteractionContext, next: Next): Promise<void> => {
    const details = await provider.interactionDetails(ctx.req, ctx.res) as unknown as InteractionDetails;
    if (details.uid !== ctx.params.uid) {
      throw new HttpError(400, 'interaction_mismatch', 'This sign-in page does not belong to your current sign-in. Go back to the application and start again.');
    }
    ctx.state.interaction = details;
    await next();
  };
}
