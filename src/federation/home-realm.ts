import type { InteractionDetails } from '../http/keyline-state.ts';
import type { InteractionDeps } from '../oidc/interactions/interaction-context.ts';
import type { UpstreamRecord } from '../store/store.ts';
import { signInChoices } from './sign-in-choices.ts';

/** The upstreams this interaction's client offers (its sign-in choices). */
export async function upstreamsOfferedTo(deps: InteractionDeps, interaction: InteractionDetails): Promise<UpstreamRecord[]> {
  return (await signInChoices(deps, await deps.provider.Client.find(String(interaction.params.client_id)))).upstreams;
}

/**
 * Home-realm discovery: the upstream that claims the address's domain, when this interaction's
 * client offers it. A domain claimed by an upstream the client does not offer stays local.
 */
export async function homeRealmOf(deps: InteractionDeps, interaction: InteractionDetails, email: string): Promise<UpstreamRecord | undefined> {
  const upstream = await deps.federation.directory.forEmail(email.trim());
  if (!upstream) return undefined;
  return (await upstreamsOfferedTo(deps, interaction)).find((offered) => offered.id === upstream.id);
}
