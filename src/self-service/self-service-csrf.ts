import { randomBytes } from 'node:crypto';
import type { Next } from 'koa';
import { HttpError } from '../http/http-error.ts';
import { csrfTokenFor, csrfTokenMatches } from '../oidc/interactions/csrf-token.ts';
import type { SelfServiceContext } from './self-service-context.ts';

const COOKIE = 'keyline.form';

/**
 * The self-service pages belong to no interaction or session, so their forms are bound to the
 * browser: a random value in an HttpOnly, SameSite=Lax cookie set with the form, and in the form
 * HMAC(secret, that value). A form posted from another site carries neither.
 */
export function formTokenFor(ctx: SelfServiceContext, secret: string): string {
  let nonce = ctx.cookies.get(COOKIE);
  if (!nonce || !/^[\w-]{22}$/.test(nonce)) {
    nonce = randomBytes(16).toString('base64url');
    ctx.cookies.set(COOKIE, nonce, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, path: '/', signed: false, overwrite: true });
  }
  return csrfTokenFor(secret, `self-service:${nonce}`);
}

export function checkFormToken(secret: string) {
  return async (ctx: SelfServiceContext, next: Next): Promise<void> => {
    const nonce = ctx.cookies.get(COOKIE);
    if (!nonce || !csrfTokenMatches(secret, `self-service:${nonce}`, ctx.state.form?.csrf)) {
      throw new HttpError(403, 'invalid_csrf_token', 'This form has expired or was not sent from this site. Go back and try again.', { kind: 'form_expired' });
    }
    await next();
  };
}
