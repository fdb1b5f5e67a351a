import type { InteractionDetails } from '../../http/keyline-state.ts';
import type { InteractionDeps } from './interaction-context.ts';

/** What the sign-in page asked: whether it showed "Keep me signed in", and whether it was ticked. */
export interface KeepMeSignedInBox {
  shown: boolean;
  ticked: boolean;
}

/**
 * Whether the new sign-in outlives the browser. Wherever the page shows "Keep me signed in" (a
 * first sign-in, "Use another account") the box decides, even for the session's own account:
 * someone on a shared computer who leaves it unticked must not keep a session that outlives the
 * browser. Confirming it's you (the same account as the session's) has no such box and keeps what
 * was chosen when the session began, so re-authenticating never turns a kept session into one that
 * ends with the browser, nor the other way round.
 */
export async function keepMeSignedIn(
  deps: InteractionDeps, interaction: InteractionDetails, accountId: string, box: KeepMeSignedInBox,
): Promise<boolean> {
  const session = interaction.session;
  if (box.shown || session?.accountId !== accountId || !session.uid) return box.ticked;
  const stored = await deps.store.oidc.findByUid('Session', session.uid);
  return stored ? stored.transient !== true : box.ticked;
}
