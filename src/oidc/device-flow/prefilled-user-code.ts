import type { Context, Next } from 'koa';

/** oidc-provider's route for the user-code page (`verification_uri`). */
export const VERIFICATION_PATH = '/device';
const MAX_USER_CODE_LENGTH = 64;

const prefilled = new WeakMap<Context, string>();

/**
 * `verification_uri_complete` (`/device?user_code=…`) would make oidc-provider answer a page
 * that posts the code on by itself with an inline script: unbranded, unlocalised, and outside the
 * pages' CSP. Keyline takes the code out of the query before oidc-provider sees it, and the
 * user-code page then shows the confirm step for it, so a link alone never connects a device.
 */
export async function takePrefilledUserCode(ctx: Context, next: Next): Promise<void> {
  const code = ctx.method === 'GET' && ctx.path === VERIFICATION_PATH ? ctx.query.user_code : undefined;
  if (code !== undefined) {
    const first = Array.isArray(code) ? code[0] : code;
    if (first) prefilled.set(ctx, first.slice(0, MAX_USER_CODE_LENGTH));
    const rest = new URLSearchParams(ctx.querystring);
    rest.delete('user_code');
    ctx.querystring = rest.toString();
  }
  await next();
}

/** The code the link carried, for this request's user-code page. */
export function prefilledUserCode(ctx: object): string | undefined {
  return prefilled.get(ctx as Context);
}
