import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { Metrics } from './metrics.ts';

function bearerMatches(header: string, token: string): boolean {
  const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '', 'utf8');
  const expected = Buffer.from(token, 'utf8');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** `GET /metrics` in the Prometheus text format, behind `Authorization: Bearer <metrics.token>` when one is set. */
export function metricsEndpoint(metrics: Metrics, token: string | undefined) {
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
