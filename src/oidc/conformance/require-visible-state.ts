import type { Context, Next } from 'koa';
import { HttpError } from '../../http/http-error.ts';

/** RFC 6749 Appendix A.5: state = 1*VSCHAR, i.e. %x20-7E. */
const VISIBLE_ASCII = /^[\x20-\x7e]+$/;

/**
 * A `state` with control characters (NUL, CR/LF) or non-ASCII text would be echoed back to the
 * client beside a code; it is refused before oidc-provider sees the request.
 */
export async function requireVisibleState(ctx: Context, next: Next): Promise<void> {
  if (ctx.path === '/auth') {
    const state = ctx.query.state;
    if (typeof state === 'string' && !VISIBLE_ASCII.test(state)) {
      throw new HttpError(400, 'invalid_request', 'state must consist of visible ASCII characters (RFC 6749 Appendix A.5)', { kind: 'malformed_state' });
    }
  }
  await next();
}
