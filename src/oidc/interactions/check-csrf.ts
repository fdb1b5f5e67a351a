import type { Next } from 'koa';
import { HttpError } from '../../http/http-error.ts';
import { csrfTokenMatches } from './csrf-token.ts';
import type { InteractionContext, InteractionDeps } from './interaction-context.ts';

/** Refuses a form post (or JSON call) whose CSRF token is missing or belongs to another interaction. */
export function checkCsrf({ csrfSecret }: InteractionDeps) {
  return async (ctx: InteractionContext, next: Next): Promise<void> => {
    if (!csrfTokenMatches(csrfSecret, ctx.state.interaction!.uid, ctx.state.form?.csrf ?? ctx.state.json?.csrf)) {
      throw new HttpError(403, 'invalid_csrf_token', 'This form has expired or was not sent from the sign-in page. Go back and try again.');
    }
    await next();
  };
}
