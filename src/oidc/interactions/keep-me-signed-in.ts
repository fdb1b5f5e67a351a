import type { InteractionDetails } from '../../http/keyline-state.ts';
import type { InteractionDeps } from './interaction-context.ts';

/**
 * Whether the new sign-in outlives the browser. A first sign-in takes the person's "Keep me signed
 * in" choice; confirming it's you (the same account as the session's) has no such box and keeps
 * what was chosen when the session began, so re-authenticating never turns a kept session into
 * one that ends with the browser, nor the other way round.
 */
export async function keepMeSignedIn(
  deps: InteractionDeps, interaction: InteractionDetails, accountId: string, chosen: boolean,
): Promise<boolean> {
  const session = interaction.session;
  if (session?.accountId !== accountId || !session.uid) return chosen;
  const stored = await deps.store.oidc.findByUid('Session', session.uid);
  return stored ? stored.transient !== true : chosen;
}
