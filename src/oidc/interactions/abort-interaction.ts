import { finishInteraction } from './finish-interaction.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';

/** The user cancelled or denied: the client receives access_denied. */
export function abortInteraction(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const { prompt, params, session, uid } = ctx.state.interaction!;
    await deps.securityEvents.record({
      type: 'interaction.aborted', actor: session?.accountId ? `user:${session.accountId}` : 'anonymous',
      accountId: session?.accountId ?? null, clientId: String(params.client_id), ip: ctx.ip, requestId: ctx.state.requestId,
      data: { prompt: prompt.name, interaction: uid },
    }, ctx.state.log);
    await finishInteraction(deps, ctx, {
      error: 'access_denied',
      error_description: 'The user cancelled the sign-in or denied access.',
    });
  };
}
