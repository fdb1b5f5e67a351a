import { finishInteraction } from './finish-interaction.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';

/** The user cancelled or denied: the client receives access_denied. */
export function abortInteraction(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    await finishInteraction(deps, ctx, {
      error: 'access_denied',
      error_description: 'The user cancelled the sign-in or denied access.',
    });
  };
}
