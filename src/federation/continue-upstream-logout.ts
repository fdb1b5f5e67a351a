import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { UpstreamDirectory } from './upstream-directory.ts';
import type { UpstreamKeys } from './upstream-keys.ts';
import { saveLogoutContinuation, takeUpstreamsOfSession } from './upstream-sessions.ts';

/** How long the browser may take at the upstream's end-session page before the way back is forgotten. */
const CONTINUATION_LIFETIME = 600;

/** `<issuer>/federation/<id>/logged-out`: the post-logout redirect URI to register at an upstream with --upstream-logout. */
export const upstreamLoggedOutUrl = (issuer: string, id: string) => `${issuer}/federation/${encodeURIComponent(id)}/logged-out`;

export interface UpstreamLogoutContinuationDeps {
  store: Store;
  directory: UpstreamDirectory;
  keys: UpstreamKeys;
  issuer: string;
  logger: Logger;
}

/**
 * RP-initiated logout at Keyline goes on to the upstream the ending session came through, when that
 * upstream has --upstream-logout: once oidc-provider has ended the session and chosen where the
 * browser goes (the client's post-logout redirect URI, or Keyline's signed-out page), that place is
 * kept under a fresh state, and the browser goes to the upstream's end-session endpoint with
 * Keyline's client id and its own /logged-out URL; coming back there continues to the kept place.
 * Keyline keeps no upstream id_token, so no id_token_hint is sent (RP-Initiated Logout 1.0 §2: client_id).
 */
export function continueLogoutAtUpstreams(provider: Provider, deps: UpstreamLogoutContinuationDeps): void {
  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined;
    if (oidc?.route !== 'end_session_confirm' || ctx.status !== 303) return;
    const session = oidc.session as { uid?: string; accountId?: string; destroyed?: boolean } | undefined;
    if (!session?.destroyed || !session.uid || !session.accountId) return;
    const then = ctx.response.get('location');
    for (const upstreamId of await takeUpstreamsOfSession(deps.store, session.accountId, session.uid)) {
      const upstream = await deps.directory.enabled(upstreamId);
      if (!upstream?.upstreamLogout || upstream.type !== 'oidc') continue;
      let endpoint = typeof upstream.settings.endSessionEndpoint === 'string' ? upstream.settings.endSessionEndpoint : undefined;
      try {
        endpoint ??= (await deps.keys.metadata(String(upstream.settings.issuer))).endSessionEndpoint;
      } catch (error) {
        deps.logger.warn({ err: error, upstreamId }, 'the upstream\'s end-session endpoint is unknown; logout stays at Keyline');
      }
      if (!endpoint) continue;
      const state = randomBytes(24).toString('base64url');
      await saveLogoutContinuation(deps.store, state, upstream.id, then, CONTINUATION_LIFETIME);
      const url = new URL(endpoint);
      url.searchParams.set('client_id', String(upstream.settings.clientId));
      url.searchParams.set('post_logout_redirect_uri', upstreamLoggedOutUrl(deps.issuer, upstream.id));
      url.searchParams.set('state', state);
      ctx.redirect(url.href);
      return;
    }
  });
}
