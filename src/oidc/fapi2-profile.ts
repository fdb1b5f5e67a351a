import { errors, type Client, type KoaContextWithOIDC } from 'oidc-provider';
import { defaults } from 'oidc-provider/lib/helpers/defaults.js';
import { PROFILE } from './keyline-client-metadata.ts';

/**
 * FAPI 2.0 Security Profile, per client (`clients add|update --profile fapi2`). oidc-provider's own
 * FAPI 2.0 profile does most of it once it names the client's profile: client assertions only with
 * the issuer as their single `aud` (SP 5.3.2.1-8), `redirect_uri` required even when one is
 * registered, PKCE. Registration turns on the rest (`client-registration.ts`): private_key_jwt,
 * pushed authorization requests only, DPoP-bound tokens; here the code lifetime and the refresh
 * retry window are held to the profile.
 */
export const FAPI2_MAX_CODE_LIFETIME = 60;
/** SP 5.3.2.1-9: a client that lost a refresh answer may present the previous token again; for this long at least. */
export const FAPI2_MIN_REFRESH_RETRY_WINDOW = 60;

export function isFapi2Metadata(metadata: Record<string, unknown> | undefined): boolean {
  return metadata?.[PROFILE] === 'fapi2';
}

/** oidc-provider's `features.fapi.profile`: asked once per request, with the request's client. */
export function fapiProfileOf(_ctx: KoaContextWithOIDC, client?: Client): '2.0' | undefined {
  return client && isFapi2Metadata(client.metadata() as Record<string, unknown>) ? '2.0' : undefined;
}

/**
 * The profile and what it requires are the administrator's (`clients add|update --profile`): a
 * client's own RFC 7592 update must keep them, or be refused. Without this, a PUT that left
 * `keyline_profile` out stored the client with no profile, and one that kept it could still move
 * to a client secret or to no authentication. Checked wherever oidc-provider validates client
 * metadata (`extraClientMetadata.validator`), so a stored client can never hold the profile
 * without its requirements either.
 */
export function checkFapi2Metadata(ctx: KoaContextWithOIDC | undefined, value: unknown, metadata: Record<string, unknown>): void {
  const current = ctx?.oidc?.route === 'client_update' ? ctx.oidc.client : undefined;
  if (value !== 'fapi2') {
    if (current && isFapi2Metadata(current.metadata() as Record<string, unknown>)) {
      throw new errors.InvalidClientMetadata(`${PROFILE} is set by the administrator and cannot be removed by the client`);
    }
    return;
  }
  if (metadata.token_endpoint_auth_method !== 'private_key_jwt') {
    throw new errors.InvalidClientMetadata('a FAPI 2.0 client authenticates with private_key_jwt only');
  }
  if (metadata.require_pushed_authorization_requests !== true || metadata.dpop_bound_access_tokens !== true) {
    throw new errors.InvalidClientMetadata('a FAPI 2.0 client uses pushed authorization requests and DPoP-bound tokens');
  }
}

/** SP 5.3.2.1-2.13: a JWT dated more than this far ahead (`iat` or `nbf`) is refused; 10 s of skew must pass. */
export const FAPI2_MAX_FUTURE_SKEW = 60;

/**
 * oidc-provider's `assertJwtClientAuthClaimsAndHeader`: the library's own check (the issuer as the
 * single `aud` under FAPI 2.0), then the profile's limit on the assertion's date. The library
 * refuses a future `nbf` but reads `iat` only when there is no `exp`.
 */
export const assertClientAssertionClaims: typeof defaults.assertJwtClientAuthClaimsAndHeader = async (ctx, claims, header, client) => {
  await defaults.assertJwtClientAuthClaimsAndHeader(ctx, claims, header, client);
  if (!ctx.oidc.isFapi('2.0')) return;
  const latest = Math.floor(Date.now() / 1000) + FAPI2_MAX_FUTURE_SKEW;
  for (const claim of ['iat', 'nbf'] as const) {
    const value = claims[claim];
    if (typeof value === 'number' && value > latest) {
      throw new errors.InvalidClientAuth(`${claim} of the client assertion is more than ${FAPI2_MAX_FUTURE_SKEW} s in the future`);
    }
  }
};
