import { HttpError } from '../http/http-error.ts';
import type { InteractionContext, InteractionDeps } from '../oidc/interactions/interaction-context.ts';
import type { UpstreamRecord } from '../store/store.ts';
import { UpstreamError } from './upstream.ts';
import { bindStepToBrowser } from './upstream-browser-binding.ts';
import { renderUpstreamError } from './upstream-error-page.ts';

/** Keyline's callback for an upstream: one per upstream, so an answer can only be for the upstream it was sent to (mix-up defence). */
export function upstreamCallbackUrl(issuer: string, upstreamId: string): string {
  return `${issuer.replace(/\/$/, '')}/federation/${encodeURIComponent(upstreamId)}/callback`;
}

/**
 * Sends the person to an upstream: the login page's button and home-realm discovery both come
 * here. A redirect step goes to the upstream with its state kept in the store; a password step
 * goes to Keyline's own page for that upstream. A connector that cannot start (discovery down or
 * refused by the outbound guard) ends on Keyline's upstream error page, whichever way led here.
 */
export async function startUpstreamStep(deps: InteractionDeps, ctx: InteractionContext, upstream: UpstreamRecord, loginHint?: string): Promise<void> {
  const interaction = ctx.state.interaction!;
  const connector = deps.federation.connectors.get(upstream.type);
  if (!connector) throw new HttpError(404, 'not_found', `no connector for upstream type ${upstream.type}`);
  let result: Awaited<ReturnType<typeof connector.start>>;
  try {
    result = await connector.start({
      upstream, callbackUrl: upstreamCallbackUrl(deps.federation.issuer, upstream.id), interactionUid: interaction.uid, ...(loginHint ? { loginHint } : {}),
    });
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    renderUpstreamError(deps, ctx, error.failure, { upstreamId: upstream.id, reason: error.message });
    return;
  }
  ctx.status = 303;
  if (result.kind === 'password') {
    const hint = loginHint ? `?login_hint=${encodeURIComponent(loginHint)}` : '';
    ctx.redirect(`/interaction/${interaction.uid}/upstream/${encodeURIComponent(upstream.id)}${hint}`);
    return;
  }
  const state = result.pending.state;
  if (!state) throw new Error(`the ${upstream.type} connector started a redirect without a state`);
  await deps.federation.pendingSteps.save(state, { interactionUid: interaction.uid, upstreamId: upstream.id, pending: result.pending, browser: bindStepToBrowser(ctx) });
  ctx.redirect(result.location);
}
