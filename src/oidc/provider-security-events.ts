import { hash } from 'node:crypto';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import type { SecurityEvent, SecurityEvents } from '../audit/security-events.ts';
import { trackSecurityEvent } from '../http/pending-security-events.ts';
import type { KeylineState } from '../http/keyline-state.ts';
import { UserCodeGuessesThrottled } from './device-flow/guard-user-code-lookups.ts';

const REUSE = /^(refresh token already used|authorization code already consumed|device code already consumed)$/;

interface TokenLike {
  jti?: string;
  grantId?: string;
  accountId?: string;
  kind?: string;
}

/**
 * An opaque token's id is its value, so the audit trail keeps a fingerprint instead: enough to tell
 * one token from another across events, useless as a credential.
 */
export function tokenFingerprint(token: TokenLike | undefined): string | undefined {
  return token?.jti ? hash('sha256', token.jti, 'base64url').slice(0, 22) : undefined;
}

function requestFields(ctx: KoaContextWithOIDC): Pick<SecurityEvent, 'requestId' | 'ip' | 'clientId' | 'actor'> {
  const clientId = ctx.oidc?.client?.clientId;
  return {
    requestId: (ctx.state as KeylineState | undefined)?.requestId ?? null,
    ip: ctx.ip,
    clientId: clientId ?? null,
    actor: clientId ? `client:${clientId}` : 'anonymous',
  };
}

/** Records what oidc-provider did in the audit trail: tokens issued per grant, reuse detected, revocations, logouts. */
export function recordProviderSecurityEvents(provider: Provider, events: SecurityEvents): void {
  const record = (ctx: KoaContextWithOIDC, event: SecurityEvent) => {
    trackSecurityEvent(ctx, events.record(event, (ctx.state as KeylineState | undefined)?.log).then(() => undefined));
  };

  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const entities = ctx.oidc.entities as Record<string, TokenLike | undefined>;
    const accessToken = entities.AccessToken ?? entities.ClientCredentials;
    const grantType = String(ctx.oidc.params?.grant_type);
    record(ctx, {
      type: 'token.issued',
      ...requestFields(ctx),
      accountId: accessToken?.accountId ?? ctx.oidc.account?.accountId ?? null,
      data: {
        grantType,
        grantId: accessToken?.grantId,
        accessTokenFingerprint: tokenFingerprint(accessToken),
        refreshTokenFingerprint: tokenFingerprint(entities.RefreshToken),
        resource: typeof ctx.oidc.params?.resource === 'string' ? ctx.oidc.params.resource : undefined,
      },
    });
  });

  provider.on('grant.error', (ctx: KoaContextWithOIDC, error: { error?: string; error_detail?: string }) => {
    // oidc-provider answers a generic description and keeps the specific reason in error_detail.
    if (error.error !== 'invalid_grant' || !REUSE.test(error.error_detail ?? '')) return;
    record(ctx, {
      type: 'token.reuse_detected',
      ...requestFields(ctx),
      data: { grantType: String(ctx.oidc.params?.grant_type), reason: error.error_detail },
    });
  });

  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
    record(ctx, {
      type: 'grant.revoked',
      ...requestFields(ctx),
      accountId: ctx.oidc.session?.accountId ?? null,
      data: { grantId, via: ctx.oidc.route },
    });
  });

  for (const model of ['access_token', 'refresh_token', 'client_credentials'] as const) {
    // These model events are emitted without the request; oidc-provider's Provider.ctx names it.
    (provider as unknown as NodeJS.EventEmitter).on(`${model}.destroyed`, (token: TokenLike) => {
      const ctx = Provider.ctx;
      if (!ctx || ctx.oidc?.route !== 'revocation') return;
      record(ctx, {
        type: 'token.revoked',
        ...requestFields(ctx),
        accountId: token.accountId ?? null,
        data: { tokenType: model, tokenFingerprint: tokenFingerprint(token), grantId: token.grantId },
      });
    });
  }

  provider.on('code_verification.error', (ctx: KoaContextWithOIDC, error: Error) => {
    if (!(error instanceof UserCodeGuessesThrottled)) return;
    record(ctx, { type: 'device.user_code_throttled', ...requestFields(ctx), data: { retryAfterSeconds: error.retryAfterSeconds } });
  });

  provider.on('end_session.success', (ctx: KoaContextWithOIDC) => {
    const accountId = ctx.oidc.session?.accountId;
    record(ctx, {
      type: 'logout',
      ...requestFields(ctx),
      actor: accountId ? `user:${accountId}` : 'anonymous',
      accountId: accountId ?? null,
      data: { clientId: ctx.oidc.client?.clientId },
    });
  });
}
