import type { InteractionDetails } from '../../http/keyline-state.ts';
import { csrfTokenFor } from './csrf-token.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';

/** The login form for this interaction, with an optional error and the email to keep filled in. */
export async function renderLoginPage(
  deps: InteractionDeps,
  ctx: InteractionContext,
  interaction: InteractionDetails,
  { email = '', error, status = 200 }: { email?: string; error?: string; status?: number } = {},
): Promise<void> {
  const client = await deps.provider.Client.find(String(interaction.params.client_id));
  deps.pages.render(ctx, 'login', 'Sign in', {
    uid: interaction.uid,
    csrfToken: csrfTokenFor(deps.csrfSecret, interaction.uid),
    clientName: client?.clientName ?? client?.clientId,
    email,
    error,
  }, status);
}
