import Router from '@koa/router';
import type { Clients } from '../store/store.ts';
import { exampleAppAddress } from './example-app-address.ts';
import type { Pages } from './pages.ts';

/** `GET /`: a small branded page saying what this service is, for people who land on it. */
export function startPage(pages: Pages, clients: Clients): Router {
  const router = new Router();
  router.get('/', async (ctx) => {
    // Only the development panel names the example, so a deployed server never reads clients here.
    const exampleApp = pages.development ? await exampleAppAddress(clients) : undefined;
    pages.render(ctx as never, 'start', { exampleApp });
  });
  return router;
}
