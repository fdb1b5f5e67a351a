import { decodeProtectedHeader } from 'jose';
import type { Next } from 'koa';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import introspection from 'oidc-provider/lib/actions/introspection.js';
import revocation from 'oidc-provider/lib/actions/revocation.js';
import rejectStructuredTokens from 'oidc-provider/lib/shared/reject_structured_tokens.js';
import { introspectionAllowed, revocationAllowed } from '../token-access-policies.ts';
import type { JwtAccessTokenState } from './jwt-access-token-state.ts';

/**
 * oidc-provider v9 answers `unsupported_token_type` when a JWT access token is introspected or
 * revoked, so an API could never learn that the tokens it actually receives were revoked. Keyline
 * swaps that one step of the two endpoints for its own: opaque tokens go on to oidc-provider's
 * steps unchanged; JWTs are answered here, after oidc-provider has authenticated the caller.
 * The endpoints' step lists are module-level arrays that oidc-provider reads when a Provider is
 * constructed, so the swap happens once, before the first `new Provider`, and is idempotent.
 */
const statesByProvider = new WeakMap<Provider, JwtAccessTokenState>();

function isJwt(token: unknown): token is string {
  if (typeof token !== 'string') return false;
  try {
    return Boolean(decodeProtectedHeader(token));
  } catch {
    return false;
  }
}

function handleStructuredTokens(route: 'introspection' | 'revocation') {
  return async function handleStructuredTokens(ctx: KoaContextWithOIDC, next: Next): Promise<void> {
    const token = ctx.oidc.params?.token;
    const state = statesByProvider.get(ctx.oidc.provider);
    if (!isJwt(token) || !state) {
      await (rejectStructuredTokens as unknown as (ctx: KoaContextWithOIDC, next: Next) => Promise<void>)(ctx, next);
      return;
    }
    const caller = ctx.oidc.client!;
    const judgement = await state.judge(token);
    if (route === 'introspection') {
      const allowed = judgement.active
        && introspectionAllowed(ctx, caller, { clientId: judgement.claims.client_id, aud: judgement.claims.aud });
      ctx.body = allowed ? { ...judgement.claims, active: true, token_type: 'Bearer' } : { active: false };
      return;
    }
    // RFC 7009: 200 whether or not there was anything to revoke, and only the owner may revoke.
    ctx.status = 200;
    ctx.body = '';
    const { claims } = judgement;
    if (!claims || !revocationAllowed(ctx, caller, { clientId: claims.client_id })) return;
    // Only this token: the grant and its refresh tokens are revoked by revoking the refresh token.
    await state.revoke(claims);
  };
}

let patched = false;

export function acceptStructuredTokens(): void {
  if (patched) return;
  for (const [steps, route] of [[introspection, 'introspection'], [revocation, 'revocation']] as const) {
    const index = steps.indexOf(rejectStructuredTokens);
    if (index === -1) throw new Error(`oidc-provider's ${route} endpoint no longer has the step Keyline replaces; check the upgrade`);
    steps[index] = handleStructuredTokens(route) as unknown as typeof rejectStructuredTokens;
  }
  patched = true;
}

/** Lets this provider's introspection and revocation endpoints judge its JWT access tokens. */
export function registerJwtAccessTokenState(provider: Provider, state: JwtAccessTokenState): void {
  statesByProvider.set(provider, state);
}

/** How this provider judges its JWT access tokens, for Keyline's own APIs (the shared-signals endpoints). */
export function jwtAccessTokenStateOf(provider: Provider): JwtAccessTokenState | undefined {
  return statesByProvider.get(provider);
}
