import type { Next } from 'koa';
import { HttpError } from '../http/http-error.ts';
import type { InteractionContext, InteractionDeps } from '../oidc/interactions/interaction-context.ts';
import { signInChoices } from './sign-in-choices.ts';

/**
 * Keyline's own first factors (the password, a passkey on its own) only for a client that allows
 * them: `--no-local-login` hides the form, and this refuses a form posted by hand, before any
 * credential is looked at. A passkey as the second factor after an upstream step, or one set up
 * then, is not a way in by itself and stays allowed.
 */
export function requireLocalLogin(deps: InteractionDeps) {
  return async (ctx: InteractionContext, next: Next): Promise<void> => {
    const purpose = ctx.state.json?.purpose;
    const firstFactor = ctx.state.json === undefined || purpose === 'sign-in';
    if (firstFactor) {
      const client = await deps.provider.Client.find(String(ctx.state.interaction!.params.client_id));
      if (!(await signInChoices(deps, client)).localLogin) {
        throw new HttpError(403, 'access_denied', 'this client allows sign-in only through its upstream identity providers');
      }
    }
    await next();
  };
}
