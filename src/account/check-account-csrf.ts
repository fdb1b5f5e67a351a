import type { Next } from 'koa';
import { HttpError } from '../http/http-error.ts';
import { csrfTokenMatches } from '../oidc/interactions/csrf-token.ts';
import type { AccountContext, AccountDeps } from './account-context.ts';

/** A change on the account pages carries the token of the session's pages: a form from elsewhere has none. */
export function checkAccountCsrf({ csrfSecret }: AccountDeps) {
  return async (ctx: AccountContext, next: Next): Promise<void> => {
    const presented = ctx.state.form?.csrf ?? ctx.state.json?.csrf;
    if (!csrfTokenMatches(csrfSecret, `account:${ctx.state.signedIn!.sessionUid}`, presented)) {
      throw new HttpError(403, 'invalid_csrf_token', 'This form has expired or was not sent from your account page. Go back and try again.', { kind: 'form_expired' });
    }
    await next();
  };
}
