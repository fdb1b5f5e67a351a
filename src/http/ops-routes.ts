import Router from '@koa/router';
import type { Store } from '../store/store.ts';
import type { Metrics } from './metrics.ts';

/** Liveness and readiness for orchestrators (/healthz: the process runs; /readyz: the store answers) and /metrics. */
export function opsRoutes(store: Store, metrics: Metrics): Router {
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
  router.get('/metrics', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/plain; version=0.0.4; charset=utf-8';
    ctx.body = metrics.render();
  });
  return router;
}
