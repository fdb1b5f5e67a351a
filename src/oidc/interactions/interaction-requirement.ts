import type { AcrValue } from '../../accounts/authentication-level.ts';
import type { InteractionDetails } from '../../http/keyline-state.ts';
import { clientRequiresMfa, requestedAcrValues, requiredLevel } from '../sign-in-requirement.ts';
import type { InteractionDeps } from './interaction-context.ts';

/** The acr values the authorization request named, in `acr_values` or in a `claims` request for `acr`. */
function acrValuesOf(params: Record<string, unknown>): string[] {
  const fromParameter = typeof params.acr_values === 'string' ? params.acr_values.split(' ').filter(Boolean) : [];
  let fromClaims: string[] = [];
  if (typeof params.claims === 'string') {
    try {
      fromClaims = requestedAcrValues((JSON.parse(params.claims) as { id_token?: { acr?: Record<string, unknown> } }).id_token?.acr);
    } catch {
      // oidc-provider refused a malformed claims parameter before the interaction started.
    }
  }
  return [...fromParameter, ...fromClaims];
}

/** How strong a sign-in this interaction needs (see sign-in-requirement.ts). */
export async function requirementOf(deps: InteractionDeps, interaction: InteractionDetails): Promise<AcrValue | undefined> {
  const client = await deps.provider.Client.find(String(interaction.params.client_id));
  return requiredLevel({
    requestedAcr: acrValuesOf(interaction.params),
    clientRequiresMfa: clientRequiresMfa(client),
    everyoneNeedsMfa: deps.secondFactors.everyoneNeedsMfa,
  });
}
