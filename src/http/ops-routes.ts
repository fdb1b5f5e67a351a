import Router from '@koa/router';
import type { Store } from '../store/store.ts';
import type { Metrics } from './metrics.ts';
import { metricsEndpoint } from './metrics-endpoint.ts';

export interface MetricsExposure {
  /** false when /metrics is served on its own port (metrics.port) instead. */
  onMainPort: boolean;
  token: string | undefined;
}

/**
 * Liveness and readiness for orchestrators (/healthz: the process runs; /readyz: the store answers
 * and the process is not draining) and /metrics.
 */
export function opsRoutes(
  store: Store, metrics: Metrics, exposure: MetricsExposure = { onMainPort: true, token: undefined }, draining: () => boolean = () => false,
): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    if (draining()) {
      ctx.status = 503;
      ctx.body = { status: 'draining', store: store.kind, reason: 'the process is shutting down' };
      return;
    }
    try {
      await store.ping();
      ctx.body = { status: 'ready', store: store.kind };
    } catch {
      ctx.status = 503;
      ctx.body = { status: 'not ready', store: store.kind, reason: 'the store does not answer' };
    }
  });
  if (exposure.onMainPort) router.get('/metrics', metricsEndpoint(metrics, exposure.token));
  return router;
}
