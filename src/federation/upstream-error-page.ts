import type { InteractionContext, InteractionDeps } from '../oidc/interactions/interaction-context.ts';
import { csrfTokenFor } from '../oidc/interactions/csrf-token.ts';
import type { ErrorKind } from '../pages/error-kinds.ts';
import type { UpstreamFailure } from './upstream.ts';

/**
 * What a person is shown for each failure, and the status. `denied` is 403: the upstream (or the
 * person, there) refused, as oidc-provider's own access_denied page is. The upstream being down is a
 * gateway's failure, 502; so is an answer Keyline will not accept or an upstream set up wrong, which
 * the person cannot tell apart and cannot fix, so one page says both. `invalid_credentials` belongs
 * to the directory password form, which shows it beside the field; should it arrive here it is
 * treated as a refusal.
 */
const PAGES: Record<UpstreamFailure, { kind: ErrorKind; status: number }> = {
  denied: { kind: 'upstream_denied', status: 403 },
  invalid_credentials: { kind: 'upstream_denied', status: 403 },
  unreachable: { kind: 'upstream_unreachable', status: 502 },
  invalid_response: { kind: 'upstream_failed', status: 502 },
  misconfigured: { kind: 'upstream_failed', status: 502 },
};

export interface UpstreamErrorDetails {
  /** The upstream's id, for the log line. */
  upstreamId?: string;
  /** Why, for the log line only (UpstreamError.message): never the upstream's body, never a token. */
  reason?: string;
}

/**
 * Keyline's own error page for a failed upstream step, in the person's language, with the way back
 * to this interaction's login page (every other way in is there) and a cancel that answers the app
 * with access_denied. The page says only which of three things happened; the reason goes to the log.
 */
export function renderUpstreamError(deps: InteractionDeps, ctx: InteractionContext, failure: UpstreamFailure, details: UpstreamErrorDetails = {}): void {
  const { kind, status } = PAGES[failure];
  const uid = ctx.state.interaction!.uid;
  ctx.state.log.warn({ event: 'federation.upstream_failed', upstream: details.upstreamId, failure, reason: details.reason, interaction: uid }, 'an upstream sign-in step failed');
  deps.pages.renderError(ctx, { status, code: kind, kind, signIn: { uid, csrfToken: csrfTokenFor(deps.csrfSecret, uid) } });
}
