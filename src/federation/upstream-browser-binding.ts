import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';

const VALUE = /^[A-Za-z0-9_-]{43}$/;

/** Prefixed over https so no sibling host can plant it (`__Host-`: Secure, Path=/, no Domain). */
function cookieName(ctx: Context): string {
  return ctx.secure ? '__Host-keyline.upstream-browser' : 'keyline.upstream-browser';
}

const digest = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Marks this browser as the one that started a redirect step and gives what the step keeps of it
 * (a digest, never the cookie itself). The callback cannot see the interaction's path-scoped cookie,
 * so without this it could not tell the starting browser from one the upstream's sign-in link was
 * sent to. SameSite=None over https: Sign in with Apple posts its answer back (form_post) cross-site.
 */
export function bindStepToBrowser(ctx: Context): string {
  const kept = ctx.cookies.get(cookieName(ctx));
  const value = kept && VALUE.test(kept) ? kept : randomBytes(32).toString('base64url');
  ctx.cookies.set(cookieName(ctx), value, {
    httpOnly: true, secure: ctx.secure, sameSite: ctx.secure ? 'none' : 'lax', path: '/', signed: false, overwrite: true,
  });
  return digest(value);
}

/** Whether the answer arrived in the browser the step was bound to. */
export function isBrowserOfStep(ctx: Context, bound: unknown): boolean {
  const value = ctx.cookies.get(cookieName(ctx));
  if (typeof bound !== 'string' || !value || !VALUE.test(value)) return false;
  const expected = Buffer.from(bound);
  const actual = Buffer.from(digest(value));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
