import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { RequestLocale } from '../i18n/request-locale.ts';
import type { Logger } from '../logger.ts';
import type { KeylineState } from './keyline-state.ts';
import { logRequest } from './request-log.ts';
import { RequestState } from './request-state.ts';

/** A caller's X-Request-Id is kept when it looks like one; anything else gets a fresh id. */
export const SAFE_REQUEST_ID = /^[\w.-]{1,100}$/;

/**
 * The OAuth-style error code of a failed request: what Keyline's error mapping recorded, else the
 * `error` of a JSON body oidc-provider answered with itself, else one derived from the status.
 */
export function errorCodeOf(ctx: Context & { state: KeylineState }): string {
  if (ctx.state.errorCode) return ctx.state.errorCode;
  const body = ctx.body as { error?: unknown } | null | undefined;
  if (body && typeof body === 'object' && !Buffer.isBuffer(body) && typeof body.error === 'string') return body.error;
  if (ctx.status === 404) return 'not_found';
  return ctx.status >= 500 ? 'server_error' : 'invalid_request';
}

/**
 * Gives each request an id (a caller's well-formed X-Request-Id is kept), a CSP nonce, a child
 * logger and its language (`ctx.state`, see request-state.ts), and logs one line per request
 * (request-log.ts decides its level).
 * Only the path is logged: query strings can carry tokens. A 4xx/5xx line also carries `error`,
 * the OAuth error code; with `requestId` (the reference an error page shows) it lets support find
 * exactly what went wrong.
 */
export function requestContext(logger: Logger, locale: RequestLocale, traceId: () => string | undefined = () => undefined) {
  return async (ctx: Context & { state: KeylineState }, next: Next): Promise<void> => {
    const offered = ctx.get('x-request-id');
    const requestId = SAFE_REQUEST_ID.test(offered) ? offered : randomUUID();
    const trace = traceId();
    // 122 random bits from the CSPRNG; randomUUID is batched and ~6× cheaper than randomBytes(16).
    const state = new RequestState(ctx, logger, locale, { requestId, traceId: trace, cspNonce: randomUUID().replaceAll('-', '') });
    ctx.state = state as unknown as KeylineState;
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      // The same fields a child logger would bind, without making one for this line alone.
      logRequest(logger, {
        requestId,
        ...(trace ? { traceId: trace } : {}),
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        ...(ctx.status >= 400 ? { error: errorCodeOf(ctx) } : {}),
        ms: Math.round((performance.now() - started) * 10) / 10,
      });
    }
  };
}
