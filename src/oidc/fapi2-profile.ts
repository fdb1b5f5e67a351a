import type { Client, KoaContextWithOIDC } from 'oidc-provider';
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
