import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { createTracing } from '../../src/http/tracing.ts';
import { createLogger, defaultLogFormat } from '../../src/logger.ts';
import { createTestUser, registerTestClient, signIn, tokenRequest } from '../support/oidc-flow.ts';
import { startKeyline, type RunningKeyline } from '../support/start-keyline.ts';

const API = 'https://api.example.test';
const config = { resources: { [API]: { scopes: ['read'] } }, metrics: { port: 0 } };

async function scrape(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return { status: response.status, text, families: response.status === 200 ? parsePrometheusTextFormat(text) : [] };
}

function rawRequest(url: string, method: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { method }, (response: IncomingMessage) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    sent.on('error', reject);
    sent.end();
  });
}

describe('/metrics', () => {
  let kl: RunningKeyline;
  beforeAll(async () => { kl = await startKeyline({ config }); });
  afterAll(() => kl.stop());

  test('parses as Prometheus text, with the standard process series and the domain series', async () => {
    const machine = await registerTestClient(kl, { grantTypes: ['client_credentials'], redirectUris: [], postLogoutRedirectUris: [], scopes: 'read', resources: [API] });
    expect((await tokenRequest(kl, machine, { grant_type: 'client_credentials', scope: 'read' })).status).toBe(200);
    await fetch(`${kl.url}/jwks`);
    await fetch(`${kl.url}/interaction/some-secret-looking-id`);
    expect(await rawRequest(`${kl.url}/jwks`, 'PROPFIND')).toBeGreaterThanOrEqual(400);
    await kl.keyline.securityEvents.record({ type: 'login.failed', actor: 'anonymous', email: 'x@example.test', data: { method: 'password' } });
    await kl.keyline.securityEvents.record({ type: 'account.locked', actor: 'system', email: 'x@example.test' });

    const { status, text, families } = await scrape(kl.metricsUrl!);
    expect(status).toBe(200);
    const family = (name: string) => families.find((candidate) => candidate.name === name);
    for (const standard of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_active_handles_total']) {
      expect(family(standard)).toBeDefined();
    }
    const requests = family('keyline_http_requests_total')!;
    expect(requests.type).toBe('COUNTER');
    expect(requests.metrics).toEqual(expect.arrayContaining([
      expect.objectContaining({ labels: { method: 'GET', route: '/jwks', status: '2xx' } }),
      expect.objectContaining({ labels: { method: 'POST', route: '/token', status: '2xx' } }),
      expect.objectContaining({ labels: expect.objectContaining({ method: 'other', route: '/jwks' }) }),
      expect.objectContaining({ labels: expect.objectContaining({ route: '/interaction' }) }),
    ]));
    expect(JSON.stringify(families)).not.toContain('some-secret-looking-id');
    expect(family('keyline_http_request_duration_seconds')!.type).toBe('HISTOGRAM');
    expect(family('keyline_tokens_issued_total')!.metrics).toEqual([expect.objectContaining({ labels: { grant_type: 'client_credentials' }, value: '1' })]);
    expect(family('keyline_sign_ins_total')!.metrics).toEqual([expect.objectContaining({ labels: { outcome: 'failure', method: 'password' }, value: '1' })]);
    expect(family('keyline_lockouts_total')!.metrics[0]!.value).toBe('1');
    expect(family('keyline_refresh_reuse_detected_total')).toBeDefined();
    expect(family('keyline_store_errors_total')).toBeDefined();
    expect(family('keyline_store_operation_duration_seconds')!.type).toBe('HISTOGRAM');
    // The parser folds a labelled histogram into one sample, so its labels are read from the text.
    expect(text).toMatch(/^keyline_store_operation_duration_seconds_count\{operation="audit\.append"\} [1-9]/m);
    expect(text).toMatch(/^keyline_store_operation_duration_seconds_count\{operation="clients\.find"\} [1-9]/m);
  });

  test('each page area has a route family of its own', async () => {
    const areas: Array<[string, string]> = [
      ['/', 'start'], ['/account', '/account'], ['/account/security', '/account'], ['/device', '/device'],
      ['/password/forgot', 'self-service'], ['/password/reset', 'self-service'], ['/sign-up', 'self-service'],
      ['/email/verify', 'self-service'], ['/assets/keyline.css', '/assets'], ['/language', '/language'],
    ];
    for (const [path] of areas) await fetch(`${kl.url}${path}`, { redirect: 'manual' });
    const { families } = await scrape(kl.metricsUrl!);
    const routes = new Set(families.find((family) => family.name === 'keyline_http_requests_total')!.metrics.map((metric) => metric.labels!.route));
    for (const [, route] of areas) expect(routes).toContain(route);
    expect(routes).not.toContain('other');
  });

  test('sign-ins count successes and failures in one method vocabulary', async () => {
    const client = await registerTestClient(kl);
    const user = await createTestUser(kl);
    await signIn(kl, client, user);
    await kl.keyline.securityEvents.record({ type: 'login.failed', actor: 'anonymous', email: 'y@example.test', data: { method: 'totp' } });
    await kl.keyline.securityEvents.record({ type: 'login.succeeded', actor: 'anonymous', email: 'y@example.test', data: { method: 'hwk+user' } });
    await kl.keyline.securityEvents.record({ type: 'login.succeeded', actor: 'anonymous', email: 'y@example.test', data: { method: 'pwd+otp' } });

    const { families } = await scrape(kl.metricsUrl!);
    const signIns = families.find((family) => family.name === 'keyline_sign_ins_total')!.metrics.map((metric) => metric.labels);
    expect(signIns).toEqual(expect.arrayContaining([
      { outcome: 'success', method: 'password' }, { outcome: 'failure', method: 'password' }, { outcome: 'failure', method: 'otp' },
      { outcome: 'success', method: 'passkey' }, { outcome: 'success', method: 'password+otp' },
    ]));
    expect(signIns).toHaveLength(5);
  });
});

describe('/metrics exposure', () => {
  test('behind a bearer token when metrics.token is set', async () => {
    const token = 'a-metrics-token-of-some-length';
    const kl = await startKeyline({ config: { metrics: { token } } });
    try {
      const refused = await fetch(`${kl.url}/metrics`);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await scrape(`${kl.url}/metrics`, { authorization: 'Bearer not-the-token-at-all-x' })).status).toBe(401);
      expect((await scrape(`${kl.url}/metrics`, { authorization: `Bearer ${token}` })).status).toBe(200);
    } finally {
      await kl.stop();
    }
  });

  test('on a port of its own when metrics.port is set, and then not on the main port', async () => {
    const kl = await startKeyline({ config: { metrics: { port: 0 } } });
    try {
      expect((await fetch(`${kl.url}/metrics`)).status).toBe(404);
      const { status, families } = await scrape(kl.metricsUrl!);
      expect(status).toBe(200);
      expect(families.some((family) => family.name === 'process_cpu_user_seconds_total')).toBe(true);
    } finally {
      await kl.stop();
    }
  });
});

interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; name: string }

/** A small OTLP/HTTP receiver: takes OTLP/JSON export requests on /v1/traces and keeps the spans. */
async function startOtlpReceiver() {
  const spans: OtlpSpan[] = [];
  const serviceNames = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.startsWith('application/json')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
        };
        for (const resource of body.resourceSpans) {
          const name = resource.resource.attributes.find((attribute) => attribute.key === 'service.name')?.value.stringValue;
          if (name) serviceNames.add(name);
          for (const scope of resource.scopeSpans) spans.push(...scope.spans);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else {
        res.writeHead(415).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    serviceNames,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('traces', () => {
  test('with OTEL_EXPORTER_OTLP_ENDPOINT, each request is a span with children for store calls and password hashing, and logs carry the trace id', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const tracing = await createTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'keyline-test' });
      expect(tracing.enabled).toBe(true);
      const kl = await startKeyline({ tracing });
      const client = await registerTestClient(kl);
      const user = await createTestUser(kl);
      await signIn(kl, client, user);
      await kl.stop(); // flushes the exporter

      expect([...receiver.serviceNames]).toEqual(['keyline-test']);
      const byId = new Map(receiver.spans.map((span) => [span.spanId, span]));
      const verify = receiver.spans.find((span) => span.name === 'password.verify')!;
      expect(verify).toBeDefined();
      const loginRequest = byId.get(verify.parentSpanId!)!;
      expect(loginRequest.name).toMatch(/^POST /);
      const storeSpans = receiver.spans.filter((span) => span.name.startsWith('store ') && span.traceId === loginRequest.traceId);
      expect(storeSpans.length).toBeGreaterThan(0);
      expect(storeSpans.every((span) => byId.has(span.parentSpanId!))).toBe(true);

      const requestLines = kl.logs.map((line) => JSON.parse(line) as { msg: string; traceId?: string; requestId?: string }).filter((line) => line.msg === 'request');
      expect(requestLines.every((line) => typeof line.requestId === 'string')).toBe(true);
      expect(requestLines.map((line) => line.traceId)).toContain(loginRequest.traceId);
    } finally {
      await receiver.stop();
    }
  });

  test('without an OTLP endpoint tracing is off and log lines carry no trace id', async () => {
    expect((await createTracing({})).enabled).toBe(false);
    const kl = await startKeyline({ tracing: await createTracing({}) });
    await fetch(`${kl.url}/`);
    await kl.stop();
    const line = kl.logs.map((entry) => JSON.parse(entry) as Record<string, unknown>).find((entry) => entry.msg === 'request')!;
    expect(line.requestId).toEqual(expect.any(String));
    expect(line).not.toHaveProperty('traceId');
  });
});

describe('log format', () => {
  test('pretty renders lines for people; JSON otherwise; pretty is the default only on a terminal outside production', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } });
    const logger = createLogger('info', sink, 'pretty');
    logger.info({ event: 'login.failed' }, 'a readable line');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines.join('')).toMatch(/INFO.*a readable line/);
    expect(() => JSON.parse(lines.join('')) as unknown).toThrow();

    expect(defaultLogFormat(undefined, {}, true)).toBe('pretty');
    expect(defaultLogFormat(undefined, { NODE_ENV: 'production' }, true)).toBe('json');
    expect(defaultLogFormat(undefined, {}, false)).toBe('json');
    expect(defaultLogFormat('json', {}, true)).toBe('json');
  });
});
