import type { Context, Next } from 'koa';
import { parseForm } from '../../http/parse-form.ts';
import type { KeylineState } from '../../http/keyline-state.ts';

/** OIDC Core §3.1.2.1 and RP-Initiated Logout §2: the OP MUST accept these requests by POST too. */
const POST_ALSO = new Set(['/auth', '/session/end']);

/**
 * oidc-provider only accepts POST at these endpoints together with SameSite=None session cookies,
 * because a cross-site form POST does not carry SameSite=Lax cookies. Keyline keeps its cookies
 * Lax and answers the POST with a 303 to the same request as a GET: that redirect is a top-level
 * navigation, which does carry the Lax session cookie, so a signed-in user is recognised.
 */
export async function postAsGet(ctx: Context & { state: KeylineState }, next: Next): Promise<void> {
  if (ctx.method !== 'POST' || !POST_ALSO.has(ctx.path)) {
    await next();
    return;
  }
  await parseForm(ctx, async () => {
    const params = new URLSearchParams(ctx.querystring);
    for (const [name, value] of Object.entries(ctx.state.form ?? {})) params.append(name, value);
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 303;
    ctx.redirect(`${ctx.path}?${params.toString()}`);
  });
}
