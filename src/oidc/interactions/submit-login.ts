import { csrfTokenFor } from './csrf-token.ts';
import { finishInteraction } from './finish-interaction.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';

const LOGIN_FAILED = 'The email or password is not right.';

/** Checks the credentials; the same answer for an unknown email, a wrong password and a disabled account. */
export function submitLogin(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const interaction = ctx.state.interaction!;
    const form = ctx.state.form ?? {};
    const email = form.email ?? '';
    const account = await deps.accounts.authenticate(email, form.password ?? '');
    if (!account) {
      const client = await deps.provider.Client.find(String(interaction.params.client_id));
      ctx.state.log.info({ event: 'login.failed', interaction: interaction.uid }, 'login failed');
      deps.pages.render(ctx, 'login', 'Sign in', {
        uid: interaction.uid,
        csrfToken: csrfTokenFor(deps.csrfSecret, interaction.uid),
        clientName: client?.clientName ?? client?.clientId,
        email,
        error: LOGIN_FAILED,
      }, 401);
      return;
    }
    ctx.state.log.info({ event: 'login.succeeded', accountId: account.id }, 'login succeeded');
    await finishInteraction(deps, ctx, { login: { accountId: account.id, remember: form.remember === 'yes' } });
  };
}
