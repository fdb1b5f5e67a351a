import { HttpError } from '../../http/http-error.ts';
import type { InteractionContext, InteractionDeps } from '../../oidc/interactions/interaction-context.ts';
import type { UpstreamRecord } from '../../store/store.ts';
import { upstreamsOfferedTo } from '../home-realm.ts';

/**
 * The upstream a directory page or post names, when it is a password upstream this interaction's
 * client offers and the interaction is at its login step; anything else is a 404 (no upstream of
 * another client, a disabled one, or a redirect one is ever asked for a password here).
 */
export async function passwordStepUpstream(deps: InteractionDeps, ctx: InteractionContext): Promise<UpstreamRecord> {
  const interaction = ctx.state.interaction!;
  if (interaction.prompt.name !== 'login') throw new HttpError(400, 'not_signing_in', 'This sign-in has already passed the step that asks who you are. Go back to the application and start again.');
  const upstream = (await upstreamsOfferedTo(deps, interaction)).find((offered) => offered.id === ctx.params.id);
  if (!upstream || deps.federation.connectors.get(upstream.type)?.step !== 'password') {
    throw new HttpError(404, 'not_found', 'There is no such way to sign in for this application.');
  }
  return upstream;
}
