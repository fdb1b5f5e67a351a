import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context as KoaContext, Next } from 'koa';
import type { Span, Tracer } from '@opentelemetry/api';

type Env = Record<string, string | undefined>;

/** Spans for requests and the work inside them; off (and free) unless an OTLP endpoint is configured. */
export interface Tracing {
  readonly enabled: boolean;
  /** Starts the request's span; installed only when tracing is on. */
  middleware(): ((ctx: KoaContext, next: Next) => Promise<void>) | undefined;
  /** Runs `work` in a child span of the current request's span. */
  inSpan<T>(name: string, attributes: Record<string, string>, work: () => Promise<T>): Promise<T>;
  /** The current request's trace id, for log lines. */
  traceId(): string | undefined;
  shutdown(): Promise<void>;
}

const OFF: Tracing = {
  enabled: false,
  middleware: () => undefined,
  inSpan: (_name, _attributes, work) => work(),
  traceId: () => undefined,
  shutdown: async () => {},
};

export function tracingWanted(env: Env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) && env.OTEL_SDK_DISABLED !== 'true'
    && env.OTEL_TRACES_EXPORTER !== 'none';
}

/**
 * OpenTelemetry's SDK with the OTLP/HTTP exporter, which reads the standard OTEL_* variables
 * (endpoint, headers, timeout, service name via OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES). The
 * tracer provider belongs to this app, not the process: the current span travels in an
 * AsyncLocalStorage of its own, so two apps in one process (tests) never mix their traces.
 */
export async function createTracing(env: Env = process.env): Promise<Tracing> {
  if (!tracingWanted(env)) return OFF;
  const [api, { TracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes, defaultResource, detectResources, envDetector }, { W3CTraceContextPropagator }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/core'),
  ]);
  // OTEL_RESOURCE_ATTRIBUTES (the env detector) and OTEL_SERVICE_NAME win over the defaults.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'keyline' }))
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(env.OTEL_SERVICE_NAME ? resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME }) : null);
  // OTLP/HTTP: the traces endpoint itself, or the base endpoint + /v1/traces (as the spec says).
  const url = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || `${env.OTEL_EXPORTER_OTLP_ENDPOINT!.replace(/\/$/, '')}/v1/traces`;
  const provider = new TracerProvider({ resource, spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) })] });
  const tracer: Tracer = provider.getTracer('keyline');
  const propagator = new W3CTraceContextPropagator();
  const current = new AsyncLocalStorage<Span>();
  const headerGetter = {
    keys: (carrier: Record<string, unknown>) => Object.keys(carrier),
    get: (carrier: Record<string, unknown>, key: string) => carrier[key] as string | undefined,
  };

  return {
    enabled: true,
    middleware: () => async (ctx: KoaContext, next: Next) => {
      const parent = propagator.extract(api.ROOT_CONTEXT, ctx.headers, headerGetter);
      const span = tracer.startSpan(`${ctx.method} request`, { kind: api.SpanKind.SERVER, attributes: { 'http.request.method': ctx.method } }, parent);
      try {
        await current.run(span, next);
      } finally {
        const route = ctx._matchedRoute ?? ctx.state.routeFamily;
        if (typeof route === 'string') span.updateName(`${ctx.method} ${route}`);
        span.setAttribute('http.response.status_code', ctx.status);
        if (ctx.status >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR });
        span.end();
      }
    },
    async inSpan(name, attributes, work) {
      const parent = current.getStore();
      if (!parent) return work();
      const span = tracer.startSpan(name, { attributes }, api.trace.setSpan(api.ROOT_CONTEXT, parent));
      try {
        return await current.run(span, work);
      } catch (error) {
        span.setStatus({ code: api.SpanStatusCode.ERROR, message: (error as Error).name });
        throw error;
      } finally {
        span.end();
      }
    },
    traceId: () => current.getStore()?.spanContext().traceId,
    shutdown: () => provider.shutdown(),
  };
}
