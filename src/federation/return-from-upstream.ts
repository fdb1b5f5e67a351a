import { HttpError } from '../http/http-error.ts';
import type { InteractionContext, InteractionDeps } from '../oidc/interactions/interaction-context.ts';
import { completeUpstreamSignIn } from './complete-upstream-sign-in.ts';
import { UpstreamError, type UpstreamIdentity } from './upstream.ts';
import { renderUpstreamError } from './upstream-error-page.ts';

/**
 * `GET /interaction/:uid/upstream/:id/return`, after the interaction is loaded (its cookie: only the
 * browser that started this sign-in gets here): takes the upstream's answer the callback kept, once,
 * lets the connector check it (code exchange, id_token, userinfo) and ends the step where every
 * upstream step ends. What the upstream refused or got wrong ends on Keyline's error page.
 */
export function returnFromUpstream(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const interaction = ctx.state.interaction!;
    const answers = deps.federation.answers;
    const answer = interaction.prompt.name === 'login' ? await answers.take(interaction.uid) : undefined;
    if (!answer || answer.upstreamId !== ctx.params.id) {
      throw new HttpError(400, 'invalid_request', 'This sign-in has no answer from that provider to continue with. Go back to the application and start again.', { kind: 'expired' });
    }
    const upstream = await deps.federation.directory.enabled(answer.upstreamId);
    if (!upstream) throw new HttpError(404, 'not_found', 'This sign-in provider is no longer available.');
    const connector = deps.federation.connectors.get(upstream.type);
    let identity: UpstreamIdentity;
    try {
      if (!connector) throw new UpstreamError('misconfigured', `no connector for upstream type ${upstream.type}`);
      identity = await connector.finish(upstream, { kind: 'redirect', parameters: answer.parameters, pending: answer.pending });
      await completeUpstreamSignIn(deps, ctx, upstream, identity);
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      renderUpstreamError(deps, ctx, error.failure, { upstreamId: upstream.id, reason: error.message });
    }
  };
}
