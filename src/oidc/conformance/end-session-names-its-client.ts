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
      throw new HttpError(400, 'invalid_request', 'post_logout_redirect_uri needs client_id or id_token_hint', { kind: 'logout_without_client' });
    }
  }
  await next();
}
