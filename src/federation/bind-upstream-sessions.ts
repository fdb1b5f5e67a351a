import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { SessionEndings } from '../accounts/session-endings.ts';
import type { Store } from '../store/store.ts';
import { bindUpstreamSession } from './upstream-sessions.ts';

const RESUMES = new Set(['resume', 'device_resume']);

/**
 * An interaction becomes a session when oidc-provider resumes the authorization request with its
 * result. Once that request has saved the session, the upstream sign-in recorded for the
 * interaction (if any) learns the session's uid: the exact session an upstream logout must end.
 */
export function bindUpstreamSessions(provider: Provider, store: Store, endings: SessionEndings, lifetimeSeconds: number): void {
  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined;
    if (!oidc?.route || !RESUMES.has(oidc.route)) return;
    // The resumed interaction is the one its signed resume cookie names, as oidc-provider read it: the
    // path's uid is never compared with it, so a resume sent to /auth/<made-up uid> would otherwise
    // leave the session unbound, out of every upstream logout's reach. ctx.oidc's Interaction entity
    // may already be the next one (a consent prompt).
    const interactionUid = ctx.cookies.get(provider.cookieName('resume'), { signed: true });
    const session = oidc.session as { uid?: string; accountId?: string } | undefined;
    const loggedIn = (oidc as { result?: { login?: { accountId?: string } } }).result?.login?.accountId;
    if (!interactionUid || !session?.uid || !session.accountId || session.accountId !== loggedIn) return;
    await bindUpstreamSession(store, endings, interactionUid, session.accountId, session.uid, lifetimeSeconds);
  });
}
