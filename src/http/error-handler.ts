import type { Context, Next } from 'koa';
import { AccountError } from '../accounts/account-errors.ts';
import { StoreUnavailableError } from '../store/store-errors.ts';
import { HttpError } from './http-error.ts';
import type { KeylineState } from './keyline-state.ts';
import { wantsErrorPage } from './machine-requests.ts';
import type { ErrorKind } from '../pages/error-kinds.ts';
import type { Pages } from '../pages/pages.ts';

interface Failure {
  status: number;
  code: string;
  message: string;
  kind?: ErrorKind;
}

const UNAVAILABLE: Failure = {
  status: 503,
  code: 'temporarily_unavailable',
  message: 'The identity store is unreachable right now. Try again shortly.',
};

/** oidc-provider's own errors carry an OAuth code, a status and a description that is safe to show. */
function isProviderError(error: unknown): error is { statusCode: number; error: string; error_description?: string } {
  return typeof error === 'object' && error !== null
    && typeof (error as { statusCode?: unknown }).statusCode === 'number'
    && typeof (error as { error?: unknown }).error === 'string';
}

function describe(error: unknown): Failure | undefined {
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message, kind: error.kind };
  if (error instanceof StoreUnavailableError) return UNAVAILABLE;
  if (error instanceof AccountError) return { status: 400, code: 'invalid_request', message: error.message };
  if (isProviderError(error) && error.statusCode < 500) {
    return { status: error.statusCode, code: error.error, message: error.error_description ?? error.error };
  }
  return undefined;
}

function respond(ctx: Context & { state: KeylineState }, pages: Pages, failure: Failure): void {
  ctx.state.errorCode = failure.code;
  if (wantsErrorPage(ctx)) {
    pages.renderError(ctx, { status: failure.status, code: failure.code, description: failure.message, kind: failure.kind });
  } else {
    ctx.status = failure.status;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { error: failure.code, error_description: failure.message };
  }
  if (failure.status === 503) ctx.set('Retry-After', '5');
}

/** After every route had its chance: a branded 404 page (or a JSON 404 for programs), never plain text. */
export async function notFound(ctx: Context): Promise<void> {
  if (ctx.body === undefined || ctx.body === null) {
    throw new HttpError(404, 'not_found', 'There is nothing at this address.');
  }
}

/**
 * Domain errors become HTTP answers in this one place. Nothing internal reaches the page:
 * unexpected errors are logged with the request id and answered with a generic message.
 * oidc-provider answers its own errors; when one of those was caused by an unreachable store
 * (it reports them as server_error), the answer becomes a 503 the client can retry.
 */
export function errorHandler(pages: Pages) {
  return async (ctx: Context & { state: KeylineState }, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.status === 500 && ctx.state.providerError instanceof StoreUnavailableError) respond(ctx, pages, UNAVAILABLE);
    } catch (error) {
      const failure = describe(error);
      if (failure) {
        if (failure.status >= 500) ctx.state.log.warn({ err: error }, failure.message);
        respond(ctx, pages, failure);
        return;
      }
      ctx.state.log.error({ err: error }, 'unexpected error');
      respond(ctx, pages, { status: 500, code: 'server_error', message: 'Something went wrong on our side. Try again, and quote the reference below if it keeps happening.' });
    }
  };
}
