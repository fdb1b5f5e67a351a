import type { Logger } from '../logger.ts';

/**
 * The endpoints that machines call over and over (resource servers fetching keys and checking
 * tokens, backends fetching tokens). Their successful requests are logged at `debug`: at `info`
 * the line cost 10–20 µs of CPU per request, a quarter of a JWKS answer (bench/README.md), and
 * says nothing the metrics (every request, by route and status) and the security events
 * (`token.issued`, `token.revoked`, with the request id) do not say already.
 */
const MACHINE_ENDPOINTS = new Set([
  '/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/jwks',
  '/token', '/me', '/token/introspection', '/token/revocation',
]);

/**
 * The page kit's stylesheets, scripts and images: a browser fetches several with every page, so
 * at `info` they drowned the page lines (71 % of them). The page's own line says who came.
 */
const STATIC_ASSETS = '/assets/';

/** A successful machine request slower than this is logged at `info` all the same. */
export const SLOW_REQUEST_MS = 1000;

export interface RequestLine {
  requestId: string;
  traceId?: string;
  method: string;
  path: string;
  status: number;
  /** The OAuth-style error code of a failed request. */
  error?: string;
  ms: number;
}

/**
 * The one line per request. Every failure (4xx, 5xx), every slow answer and every request to a
 * page or the admin API is logged at `info` (a static asset only when it fails or is slow); so is everything at `KEYLINE_LOG_LEVEL=debug`.
 */
export function logRequest(logger: Logger, line: RequestLine): void {
  const quiet = line.status < 400 && line.ms < SLOW_REQUEST_MS && (MACHINE_ENDPOINTS.has(line.path) || line.path.startsWith(STATIC_ASSETS));
  if (quiet) logger.debug(line, 'request');
  else logger.info(line, 'request');
}
