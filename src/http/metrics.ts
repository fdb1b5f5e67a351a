import type { Context, Next } from 'koa';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SecurityEvent, SecurityEventCounter } from '../audit/security-events.ts';
import type { JobObserver, JobOutcome } from '../jobs/job-runner.ts';

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];
const KNOWN_ROUTES = [
  '/.well-known/openid-configuration', '/jwks', '/auth', '/token/introspection', '/token/revocation', '/token',
  '/me', '/session/end', '/interaction', '/healthz', '/readyz', '/metrics', '/.well-known/ssf-configuration', '/ssf',
  '/admin/v1', '/device/auth', '/device', '/account', '/assets', '/language',
];
/** The pages a person reaches from a link in a mail or the login page, without an interaction. */
const SELF_SERVICE_PATHS = ['/password', '/sign-up', '/email/verify'];
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const GRANT_TYPES = new Set(['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code']);

/** A bounded label: the route family, never the raw path (which carries ids). */
function routeOf(path: string): string {
  const under = (route: string) => path === route || path.startsWith(`${route}/`);
  if (path === '/') return 'start';
  if (SELF_SERVICE_PATHS.some(under)) return 'self-service';
  return KNOWN_ROUTES.find(under) ?? 'other';
}

/**
 * One vocabulary for the sign-in `method` label: `password`, `otp`, `passkey`, joined with `+` for
 * a sign-in that used two. The events say it two ways (a failure names the factor refused,
 * `totp`, `recovery_code`; a success the RFC 8176 `amr` used, `pwd+otp`, `hwk+user`); a dashboard
 * needs one. An authenticator app and a recovery code are both `otp`, as in `amr`.
 */
const SIGN_IN_FACTORS: Record<string, string> = {
  pwd: 'password', password: 'password',
  otp: 'otp', totp: 'otp', recovery_code: 'otp',
  hwk: 'passkey', swk: 'passkey', passkey: 'passkey',
};

function signInMethodLabel(method: unknown): string {
  const factors = String(method ?? 'password').split('+').filter((word) => word !== 'user' && word !== 'mfa');
  const labels = [...new Set(factors.map((word) => SIGN_IN_FACTORS[word] ?? 'other'))];
  return labels.length > 0 ? labels.join('+') : 'other';
}

interface HttpSeries {
  requests: Counter.Internal;
  duration: Histogram.Internal<'method' | 'route' | 'status'>;
}

/**
 * Everything `/metrics` serves, through prom-client: the standard process and Node.js metrics,
 * HTTP requests per route family, and the domain counters. One registry per app, so tests (and
 * several apps in a process) do not share series.
 */
export class Metrics implements SecurityEventCounter, JobObserver {
  readonly registry = new Registry();
  readonly #httpRequests = new Counter({ name: 'keyline_http_requests_total', help: 'HTTP requests by route family and status class.', labelNames: ['method', 'route', 'status'], registers: [this.registry] });
  readonly #httpDuration = new Histogram({ name: 'keyline_http_request_duration_seconds', help: 'Time to answer, by route family and status class.', labelNames: ['method', 'route', 'status'], buckets: HTTP_BUCKETS, registers: [this.registry] });
  readonly #signIns = new Counter({ name: 'keyline_sign_ins_total', help: 'Sign-in attempts by outcome and method.', labelNames: ['outcome', 'method'], registers: [this.registry] });
  readonly #lockouts = new Counter({ name: 'keyline_lockouts_total', help: 'Accounts locked after repeated failed sign-ins.', registers: [this.registry] });
  readonly #tokensIssued = new Counter({ name: 'keyline_tokens_issued_total', help: 'Successful token endpoint grants by grant type.', labelNames: ['grant_type'], registers: [this.registry] });
  readonly #refreshReuse = new Counter({ name: 'keyline_refresh_reuse_detected_total', help: 'Reused refresh tokens or authorization codes (the grant is then revoked).', registers: [this.registry] });
  readonly #securityEvents = new Counter({ name: 'keyline_security_events_total', help: 'Security events recorded in the audit trail, by type.', labelNames: ['type'], registers: [this.registry] });
  readonly #storeErrors = new Counter({ name: 'keyline_store_errors_total', help: 'Store operations that failed for a reason other than not-found or already-exists.', labelNames: ['operation'], registers: [this.registry] });
  readonly #storeDuration = new Histogram({ name: 'keyline_store_operation_duration_seconds', help: 'Store operation latency.', labelNames: ['operation'], buckets: STORE_BUCKETS, registers: [this.registry] });
  readonly #jobs = new Counter({ name: 'keyline_jobs_total', help: 'Outbox job attempts by kind and outcome (done, retry, dead).', labelNames: ['kind', 'outcome'], registers: [this.registry] });
  /** Label lookups cost more than the increment; each combination is resolved once. */
  readonly #httpSeries = new Map<string, HttpSeries>();
  readonly #storeSeries = new Map<string, Histogram.Internal<'operation'>>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  middleware() {
    return async (ctx: Context, next: Next): Promise<void> => {
      const started = performance.now();
      try {
        await next();
      } finally {
        this.observeRequest(ctx.method, ctx.path, ctx.status, (performance.now() - started) / 1000);
      }
    };
  }

  observeRequest(method: string, path: string, status: number, seconds: number): void {
    const statusClass = status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
    const methodLabel = KNOWN_METHODS.has(method) ? method : 'other';
    const route = routeOf(path);
    const key = `${methodLabel} ${route} ${statusClass}`;
    let series = this.#httpSeries.get(key);
    if (!series) {
      series = { requests: this.#httpRequests.labels(methodLabel, route, statusClass), duration: this.#httpDuration.labels(methodLabel, route, statusClass) };
      this.#httpSeries.set(key, series);
    }
    series.requests.inc();
    series.duration.observe(seconds);
  }

  observeStore(operation: string, seconds: number, failed: boolean): void {
    let series = this.#storeSeries.get(operation);
    if (!series) {
      series = this.#storeDuration.labels(operation);
      this.#storeSeries.set(operation, series);
    }
    series.observe(seconds);
    if (failed) this.#storeErrors.labels(operation).inc();
  }

  countSecurityEvent(event: SecurityEvent): void {
    this.#securityEvents.labels(event.type).inc();
    const data = event.data ?? {};
    switch (event.type) {
      case 'login.succeeded':
      case 'login.failed':
        this.#signIns.labels(event.type === 'login.succeeded' ? 'success' : 'failure', signInMethodLabel(data.method)).inc();
        break;
      case 'account.locked':
        this.#lockouts.inc();
        break;
      case 'token.issued': {
        const grantType = String(data.grantType);
        this.#tokensIssued.labels(GRANT_TYPES.has(grantType) ? grantType : 'other').inc();
        break;
      }
      case 'token.reuse_detected':
        this.#refreshReuse.inc();
        break;
      default:
    }
  }

  countJob(kind: string, outcome: JobOutcome): void {
    this.#jobs.labels(kind, outcome).inc();
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
