import { HttpError } from '../../http/http-error.ts';
import { csrfTokenFor } from './csrf-token.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';
import { renderLoginPage } from './render-login-page.ts';
import { describeScope } from './scope-descriptions.ts';

/** The page for what oidc-provider is asking for: the login form or the consent form. */
export function showPrompt(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const interaction = ctx.state.interaction!;
    if (interaction.prompt.name === 'login') {
      const hint = typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : '';
      await renderLoginPage(deps, ctx, interaction, { email: hint });
      return;
    }
    const client = await deps.provider.Client.find(String(interaction.params.client_id));
    const common = {
      uid: interaction.uid,
      csrfToken: csrfTokenFor(deps.csrfSecret, interaction.uid),
      clientName: client?.clientName ?? client?.clientId,
    };
    if (interaction.prompt.name === 'consent') {
      const details = interaction.prompt.details as {
        missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]>;
      };
      const account = await deps.accounts.findById(interaction.session?.accountId ?? '');
      deps.pages.render(ctx, 'consent', 'Allow access', {
        ...common,
        email: account?.email ?? '',
        scopes: (details.missingOIDCScope ?? []).map(describeScope),
        resources: Object.entries(details.missingResourceScopes ?? {}).map(([indicator, scopes]) => ({ indicator, scopes })),
      });
      return;
    }
    throw new HttpError(400, 'unsupported_prompt', `Keyline cannot handle the "${interaction.prompt.name}" step.`);
  };
}
