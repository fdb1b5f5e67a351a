import { HttpError } from '../http/http-error.ts';
import type { InteractionContext, InteractionDeps } from '../oidc/interactions/interaction-context.ts';
import { signInChoices } from './sign-in-choices.ts';
import { startUpstreamStep } from './start-upstream-step.ts';
import { renderUpstreamError } from './upstream-error-page.ts';

/**
 * A button on the login page: `POST /interaction/:uid/upstream/:id` (after the interaction and its
 * CSRF token are checked). Only an upstream this client offers starts, and only at the login
 * prompt; a connector that fails to start (discovery down, an upstream set up wrong) ends on
 * Keyline's error page with the way back, not a 500.
 */
export function submitUpstreamChoice(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const interaction = ctx.state.interaction!;
    if (interaction.prompt.name !== 'login') throw new HttpError(400, 'invalid_request', 'this sign-in is past the login step', { kind: 'expired' });
    const client = await deps.provider.Client.find(String(interaction.params.client_id));
    const { upstreams } = await signInChoices(deps, client);
    const upstream = upstreams.find((offered) => offered.id === ctx.params.id);
    if (!upstream) throw new HttpError(404, 'not_found', 'this client offers no such upstream');
    if (!deps.federation.connectors.has(upstream.type)) {
      renderUpstreamError(deps, ctx, 'misconfigured', { upstreamId: upstream.id, reason: `no connector for upstream type ${upstream.type}` });
      return;
    }
    await startUpstreamStep(deps, ctx, upstream);
  };
}
