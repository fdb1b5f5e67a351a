import Router from '@koa/router';
import type { Pages } from './pages.ts';

/** `GET /`: a small branded page saying what this service is, for people who land on it. */
export function startPage(pages: Pages): Router {
  const router = new Router();
  router.get('/', (ctx) => {
    pages.render(ctx as never, 'start');
  });
  return router;
}
