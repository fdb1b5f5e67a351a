import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../logger.ts';
import type { ContentSecurityPolicy } from './content-security-policy.ts';
import { ifNoneMatchHits } from './if-none-match.ts';
import type { Metrics } from './metrics.ts';
import type { CurrentDocument, PublishedDocuments } from './published-documents.ts';
import { SAFE_REQUEST_ID } from './request-context.ts';
import { logRequest } from './request-log.ts';
import { FIXED_SECURITY_HEADERS, HSTS } from './security-headers.ts';

export interface PublishedAheadOptions {
  documents: PublishedDocuments;
  /** The issuer's scheme, which every published URL has whatever the request says (pin-host-to-issuer.ts). */
  protocol: string;
  /** Koa's `proxy`: whether X-Forwarded-Proto says how the request came, for HSTS alone. */
  proxy: boolean;
  csp: ContentSecurityPolicy;
  metrics: Metrics;
  logger: Logger;
}

/**
 * Answers GET and HEAD of discovery and the JWKS from their current bytes before the Koa app
 * runs: the same status, body and headers as the Koa path (security headers, CORS, ETag,
 * Cache-Control, request id), the same request log line and metrics, without the ~15 middleware
 * a request otherwise passes. Anything else, and these documents before their bytes are built or
 * after a source changed, goes to the Koa app as before. Not used while tracing is on, so that
 * every request still gets its span.
 */
/** How the request came, as Koa reads it before pin-host-to-issuer: for HSTS alone (RFC 6797 §7.2). */
function transportOf(request: IncomingMessage, proxy: boolean): string {
  if ((request.socket as TLSSocket).encrypted) return 'https';
  if (!proxy) return 'http';
  const forwarded = request.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(/\s*,\s*/, 1)[0];
  return first || 'http';
}

export function answerPublishedAhead(koa: RequestListener, options: PublishedAheadOptions): RequestListener {
  const { documents, protocol, proxy, csp, metrics, logger } = options;

  const send = (request: IncomingMessage, response: ServerResponse, path: string, { document, serialised }: CurrentDocument, started: number) => {
    const offered = request.headers['x-request-id'];
    const requestId = typeof offered === 'string' && SAFE_REQUEST_ID.test(offered) ? offered : randomUUID();
    const notModified = ifNoneMatchHits(String(request.headers['if-none-match'] ?? ''), serialised.etag);
    const status = notModified ? 304 : 200;
    const headers: Record<string, string | number> = {
      'Content-Security-Policy': csp.header(randomUUID().replaceAll('-', '')),
      ...FIXED_SECURITY_HEADERS,
      ...(transportOf(request, proxy) === 'https' ? { 'Strict-Transport-Security': HSTS } : {}),
      'X-Request-Id': requestId,
      Vary: 'Origin',
      'Access-Control-Allow-Origin': request.headers.origin || '*',
      ETag: serialised.etag,
      'Cache-Control': `public, max-age=${document.maxAgeSeconds}`,
      ...(notModified ? {} : { 'Content-Type': serialised.contentType, 'Content-Length': serialised.body.length }),
    };
    response.writeHead(status, headers);
    response.end(notModified || request.method === 'HEAD' ? undefined : serialised.body);
    const seconds = (performance.now() - started) / 1000;
    metrics.observeRequest(request.method!, path, status, seconds);
    logRequest(logger, { requestId, method: request.method!, path, status, ms: Math.round(seconds * 10_000) / 10 });
  };

  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      koa(request, response);
      return;
    }
    const url = request.url ?? '';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (!documents.publishes(path)) {
      koa(request, response);
      return;
    }
    const started = performance.now();
    documents.current(protocol, path).then((current) => {
      if (current) send(request, response, path, current, started);
      else koa(request, response);
    }).catch((error: unknown) => {
      logger.error({ err: error, path }, 'answering a published document failed');
      if (response.headersSent) response.destroy();
      else koa(request, response);
    });
  };
}
