import type { Context, Next } from 'koa';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const KNOWN_ROUTES = [
  '/.well-known/openid-configuration', '/jwks', '/auth', '/token/introspection', '/token/revocation', '/token',
  '/me', '/session/end', '/interaction', '/healthz', '/readyz', '/metrics',
];

/** A bounded label: the route family, never the raw path (which carries ids). */
function routeOf(path: string): string {
  return KNOWN_ROUTES.find((route) => path === route || path.startsWith(`${route}/`)) ?? 'other';
}

interface Series {
  count: number;
  sum: number;
  buckets: number[];
}

/** Request counts and latency per route and status class, in the Prometheus text format. Per node by nature. */
export class Metrics {
  readonly #series = new Map<string, Series>();
  readonly #started = Date.now();

  middleware() {
    return async (ctx: Context, next: Next): Promise<void> => {
      const started = performance.now();
      try {
        await next();
      } finally {
        this.observe(ctx.method, routeOf(ctx.path), ctx.status, (performance.now() - started) / 1000);
      }
    };
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `method="${method}",route="${route}",status="${Math.floor(status / 100)}xx"`;
    let series = this.#series.get(key);
    if (!series) {
      series = { count: 0, sum: 0, buckets: BUCKETS.map(() => 0) };
      this.#series.set(key, series);
    }
    series.count += 1;
    series.sum += seconds;
    BUCKETS.forEach((bound, index) => { if (seconds <= bound) series.buckets[index]! += 1; });
  }

  render(): string {
    const lines = [
      '# HELP keyline_http_requests_total HTTP requests by route family and status class.',
      '# TYPE keyline_http_requests_total counter',
    ];
    for (const [labels, series] of this.#series) lines.push(`keyline_http_requests_total{${labels}} ${series.count}`);
    lines.push('# HELP keyline_http_request_duration_seconds Time to answer, by route family and status class.');
    lines.push('# TYPE keyline_http_request_duration_seconds histogram');
    for (const [labels, series] of this.#series) {
      BUCKETS.forEach((bound, index) => lines.push(`keyline_http_request_duration_seconds_bucket{${labels},le="${bound}"} ${series.buckets[index]}`));
      lines.push(`keyline_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${series.count}`);
      lines.push(`keyline_http_request_duration_seconds_sum{${labels}} ${series.sum.toFixed(6)}`);
      lines.push(`keyline_http_request_duration_seconds_count{${labels}} ${series.count}`);
    }
    const memory = process.memoryUsage();
    lines.push('# TYPE keyline_process_resident_memory_bytes gauge', `keyline_process_resident_memory_bytes ${memory.rss}`);
    lines.push('# TYPE keyline_process_uptime_seconds gauge', `keyline_process_uptime_seconds ${Math.round((Date.now() - this.#started) / 1000)}`);
    return `${lines.join('\n')}\n`;
  }
}
