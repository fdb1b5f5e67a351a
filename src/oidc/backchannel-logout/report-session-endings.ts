import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { relyingPartiesOf, type RelyingPartySession, type SessionEndings } from '../../accounts/session-endings.ts';
import { trackSecurityEvent } from '../../http/pending-security-events.ts';
import type { OidcPayload } from '../../store/store.ts';

interface ClientLike {
  clientId: string;
}

interface RefreshTokenLike {
  accountId?: string;
  clientId?: string;
  sid?: string;
  grantId?: string;
}

/**
 * Tells Keyline's session endings what oidc-provider ended: an RP-initiated logout (end_session)
 * and a refresh token used twice (the grant is revoked). oidc-provider's own back-channel logout
 * is sent inline, once, from the request, and lost when the client is down; on this provider it
 * only names the client and its sid, and the outbox delivers the token, with retries.
 */
export function reportSessionEndings(provider: Provider, endings: SessionEndings): void {
  const namedClients = new WeakMap<object, RelyingPartySession[]>();

  provider.Client.prototype.backchannelLogout = async function nameForTheOutbox(this: ClientLike, _sub: string, sid: string) {
    const ctx = Provider.ctx;
    if (!ctx) return;
    const named = namedClients.get(ctx) ?? [];
    named.push({ clientId: this.clientId, sid });
    namedClients.set(ctx, named);
  };

  provider.on('end_session.success', (ctx: KoaContextWithOIDC) => {
    const session = ctx.oidc.session as (KoaContextWithOIDC['oidc']['session'] & { destroyed?: boolean }) | undefined;
    const accountId = session?.accountId;
    if (!session || !accountId) return;
    // Signing out everywhere destroys the session; a logout from one client only (without
    // logout=yes) leaves it, and only that client's part ended.
    const relyingParties = session.destroyed ? relyingPartiesOf(session as unknown as OidcPayload) : namedClients.get(ctx) ?? [];
    if (!session.destroyed && relyingParties.length === 0) return;
    trackSecurityEvent(ctx, endings.ended({
      accountId, reason: 'logout', initiator: 'user', relyingParties, signal: session.destroyed === true,
    }));
  });

  provider.on('grant.error', (ctx: KoaContextWithOIDC, error: { error?: string; error_detail?: string }) => {
    if (error.error !== 'invalid_grant' || error.error_detail !== 'refresh token already used') return;
    const token = (ctx.oidc.entities as { RefreshToken?: RefreshTokenLike }).RefreshToken;
    if (!token?.accountId || !token.clientId) return;
    trackSecurityEvent(ctx, endings.ended({
      accountId: token.accountId,
      reason: 'token-reuse',
      initiator: 'policy',
      relyingParties: [token.sid ? { clientId: token.clientId, sid: token.sid } : { clientId: token.clientId }],
      // Many racing reuses of one token revoke one grant: that is one ending.
      ...(token.grantId ? { dedupeKey: `token-reuse:${token.grantId}` } : {}),
    }));
  });
}
