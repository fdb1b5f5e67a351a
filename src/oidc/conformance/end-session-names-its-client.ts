import type { Context, Next } from 'koa';
import { HttpError } from '../../http/http-error.ts';

/**
 * A logout request that names a page to return to but not the application (no id_token_hint, no
 * client_id) cannot have that page checked against a registration; oidc-provider silently drops it.
 * Saying so helps the developer of the application, and the user can still sign out from the start page.
 */
export async function endSessionNamesItsClient(ctx: Context, next: Next): Promise<void> {
  if (ctx.path === '/session/end' && ctx.method === 'GET') {
    const { post_logout_redirect_uri: returnTo, id_token_hint: hint, client_id: clientId } = ctx.query;
    if (returnTo !== undefined && hint === undefined && clientId === undefined) {
      throw new HttpError(400, 'invalid_request',
        'This sign-out link asks to return to a page but does not say which application it comes from, so Keyline cannot check that the page belongs to it. The application must send its client_id or an id_token_hint.');
    }
  }
  await next();
}
