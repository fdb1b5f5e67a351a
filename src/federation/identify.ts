import { HttpError } from '../http/http-error.ts';
import type { InteractionContext, InteractionDeps } from '../oidc/interactions/interaction-context.ts';
import { renderLoginPage } from '../oidc/interactions/render-login-page.ts';
import { homeRealmOf } from './home-realm.ts';
import { startUpstreamStep } from './start-upstream-step.ts';

/**
 * POST /interaction/:uid/identify: the identifier-first form. An address in a domain an offered
 * upstream claims goes to that upstream (its button's way in); any other address gets the usual
 * password form with the address filled in. It checks no secret and tells nothing about accounts.
 */
export function identify(deps: InteractionDeps) {
  return async (ctx: InteractionContext): Promise<void> => {
    const interaction = ctx.state.interaction!;
    if (interaction.prompt.name !== 'login') throw new HttpError(400, 'not_signing_in', 'This sign-in has already passed the step that asks who you are. Go back to the application and start again.');
    const email = (ctx.state.form?.email ?? '').trim().slice(0, 320);
    const upstream = email ? await homeRealmOf(deps, interaction, email) : undefined;
    if (upstream) {
      await startUpstreamStep(deps, ctx, upstream, email);
      return;
    }
    await renderLoginPage(deps, ctx, interaction, { email, identified: true, switchAccount: ctx.state.form?.account === 'other' });
  };
}
