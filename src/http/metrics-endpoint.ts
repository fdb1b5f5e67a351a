import { timingSafeEqual } from 'node:crypto';
import Koa, { type Context } from 'koa';

/** Anything that renders the Prometheus text format: one app's metrics, or every worker's summed. */
export interface MetricsSource {
  readonly contentType: string;
  render(): Promise<string>;
}

function bearerMatches(header: string, token: string): boolean {
  const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '', 'utf8');
  const expected = Buffer.from(token, 'utf8');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** `GET /metrics` in the Prometheus text format, behind `Authorization: Bearer <metrics.token>` when one is set. */
export function metricsEndpoint(metrics: MetricsSource, token: string | undefined) {
  return async (ctx: Context): Promise<void> => {
    ctx.set('Cache-Control', 'no-store');
    if (token !== undefined && !bearerMatches(ctx.get('authorization'), token)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      ctx.body = { error: 'invalid_token', error_description: '/metrics needs the bearer token configured as metrics.token (KEYLINE_METRICS_TOKEN)' };
      return;
    }
    ctx.type = metrics.contentType;
    ctx.body = await metrics.render();
  };
}

/** An app that serves only `GET /metrics`, for a port of its own (`metrics.port`). */
export function metricsOnlyApp(metrics: MetricsSource, token: string | undefined): Koa {
  const app = new Koa();
  const serve = metricsEndpoint(metrics, token);
  app.use(async (ctx) => {
    if (ctx.path === '/metrics' && ctx.method === 'GET') await serve(ctx);
    else ctx.status = 404;
  });
  return app;
}
