import Router from '@koa/router';
import type Provider from 'oidc-provider';
import { clientView } from '../pages/client-view.ts';
import type { Pages } from '../pages/pages.ts';

/**
 * "Stay signed in" on the logout confirmation: nothing is ended, no grant is revoked, and the RP is
 * not sent to its post-logout page (that would claim a logout that did not happen). The page says
 * so, with a way back to the application's home page where it registered one.
 */
export function logoutRoutes(provider: Provider, pages: Pages): Router {
  const router = new Router();
  router.get('/session/end/stay', async (ctx) => {
    const clientId = typeof ctx.query.client_id === 'string' ? ctx.query.client_id : undefined;
    const client = clientId ? await provider.Client.find(clientId) : undefined;
    pages.render(ctx as never, 'still-signed-in', { client: clientView(client) });
  });
  return router;
}

export function stayUrlFor(clientId: string | undefined): string {
  return clientId ? `/session/end/stay?client_id=${encodeURIComponent(clientId)}` : '/session/end/stay';
}
