import type { Client, KoaContextWithOIDC } from 'oidc-provider';
import { ACR, requestedLevel, strongest, type AcrValue } from '../accounts/authentication-level.ts';
import { REQUIRE_MFA } from './keyline-client-metadata.ts';

interface AcrClaimRequest {
  value?: unknown;
  values?: unknown;
}

/** The acr values a request names: `acr_values` (oidc-provider folds it into the claims request) or the `claims` parameter. */
export function requestedAcrValues(acrClaim: AcrClaimRequest | undefined): string[] {
  if (!acrClaim) return [];
  if (Array.isArray(acrClaim.values)) return acrClaim.values.filter((value): value is string => typeof value === 'string');
  return typeof acrClaim.value === 'string' ? [acrClaim.value] : [];
}

/**
 * How strong a sign-in this request needs: the strongest of what the operator requires of
 * everyone (`mfa.required`), what the client was registered with (`--require-mfa`), and what the
 * request asks for (`acr_values` or an `acr` claim, voluntary or essential: any supported value
 * named is honoured as a floor).
 */
export function requiredLevel(input: { requestedAcr: string[]; clientRequiresMfa: boolean; everyoneNeedsMfa: boolean }): AcrValue | undefined {
  return strongest([
    input.everyoneNeedsMfa || input.clientRequiresMfa ? ACR.multiFactor : undefined,
    requestedLevel(input.requestedAcr),
  ]);
}

export function clientRequiresMfa(client: Client | undefined): boolean {
  return client?.metadata()[REQUIRE_MFA] === true;
}

/** The requirement of the authorization request oidc-provider is handling. */
export function requiredLevelOf(ctx: KoaContextWithOIDC, everyoneNeedsMfa: boolean): AcrValue | undefined {
  const claims = ctx.oidc.claims as { id_token?: { acr?: AcrClaimRequest } } | undefined;
  return requiredLevel({
    requestedAcr: requestedAcrValues(claims?.id_token?.acr),
    clientRequiresMfa: clientRequiresMfa(ctx.oidc.client),
    everyoneNeedsMfa,
  });
}
