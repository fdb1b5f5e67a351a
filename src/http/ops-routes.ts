import Router from '@koa/router';
import type { Store } from '../store/store.ts';

/** Liveness and readiness for orchestrators: /healthz says the process runs, /readyz that the store answers. */
export function opsRoutes(store: Store): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      await store.ping();
      ctx.body = { status: 'ready', store: store.kind };
    } catch {
      ctx.status = 503;
      ctx.body = { status: 'not ready', store: store.kind, reason: 'the store does not answer' };
    }
  });
  return router;
}
