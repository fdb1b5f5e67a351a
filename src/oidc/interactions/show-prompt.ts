import { HttpError } from '../../http/http-error.ts';
import { clientView, hostOf, logoOrigins } from '../../pages/client-view.ts';
import { csrfTokenFor } from './csrf-token.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';
import { renderLoginPage } from './render-login-page.ts';
import { renderSignInStep } from './render-sign-in-step.ts';
import { signInProgressOf } from './step-up.ts';
import { describePermissions } from './scope-descriptions.ts';

interface ConsentPromptDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

/** The page for what oidc-provider is asking for: the login form or the consent form. */
export function showPrompt(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const interaction = ctx.state.interaction!;
    if (interaction.prompt.name === 'login') {
      const progress = await signInProgressOf(deps, interaction);
      if (progress) {
        await renderSignInStep(deps, ctx, interaction, progress);
        return;
      }
      const hint = typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : '';
      await renderLoginPage(deps, ctx, interaction, { email: hint, switchAccount: ctx.query.account === 'other' });
      return;
    }
    if (interaction.prompt.name === 'consent') {
      const client = clientView(await deps.provider.Client.find(String(interaction.params.client_id)));
      const details = interaction.prompt.details as ConsentPromptDetails;
      const account = await deps.accounts.findById(interaction.session?.accountId ?? '');
      const permissions = await describePermissions(ctx.state.t, {
        client: client?.name ?? String(interaction.params.client_id),
        scopes: details.missingOIDCScope ?? [],
        claims: details.missingOIDCClaims ?? [],
        resources: details.missingResourceScopes ?? {},
        resourceName: async (indicator) => (await deps.resources.find(indicator))?.name ?? undefined,
        declarations: deps.declarations,
      });
      deps.pages.render(ctx, 'consent', {
        uid: interaction.uid,
        csrfToken: csrfTokenFor(deps.csrfSecret, interaction.uid),
        client,
        // The phishing cue: where the answer goes, as oidc-provider checked it against the registration.
        appHost: hostOf(interaction.params.redirect_uri),
        hostOf,
        email: account?.email ?? '',
        permissions,
      }, { imageOrigins: logoOrigins(client) });
      return;
    }
    throw new HttpError(400, 'unsupported_prompt', `Keyline cannot handle the "${interaction.prompt.name}" step.`);
  };
}
