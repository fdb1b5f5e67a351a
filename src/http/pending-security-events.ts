import type { Context, Next } from 'koa';
import type { KeylineState } from './keyline-state.ts';

const PENDING = Symbol('pending security events');

interface WithPending {
  [PENDING]?: Array<Promise<unknown>>;
}

/**
 * oidc-provider announces what it did (a token issued, a grant revoked) through synchronous events
 * in the middle of the request. Their audit writes are kept on the request here, each with its
 * failure caught at once (so none is an unhandled rejection), and awaited before the response leaves.
 */
export function trackSecurityEvent(ctx: unknown, write: Promise<void>): void {
  const holder = ctx as WithPending;
  (holder[PENDING] ??= []).push(write.then(() => undefined, (error: unknown) => ({ failed: error })));
}

/** If the audit trail could not record what the request did, the client gets a 503 instead of its result. */
export async function awaitSecurityEvents(ctx: Context & { state: KeylineState }, next: Next): Promise<void> {
  await next();
  const pending = (ctx as unknown as WithPending)[PENDING];
  if (!pending) return;
  const outcomes = await Promise.all(pending);
  if (outcomes.some((outcome) => outcome !== undefined)) {
    ctx.status = 503;
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Retry-After', '5');
    ctx.remove('Set-Cookie');
    ctx.body = { error: 'temporarily_unavailable', error_description: 'The request could not be recorded in the audit trail, so it was not completed. Try again shortly.' };
  }
}
