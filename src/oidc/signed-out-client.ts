import type { KoaContextWithOIDC } from 'oidc-provider';

const COOKIE = 'keyline.logout-client';
const TEN_MINUTES = 10 * 60 * 1000;

/**
 * oidc-provider forgets which app asked for a logout once the session is gone, so the signed-out
 * page could not offer to sign in to it again. The logout confirmation page remembers the client
 * id in a short-lived signed cookie that only the logout pages see.
 */
export function rememberSigningOutClient(ctx: KoaContextWithOIDC, clientId: string | undefined): void {
  if (!clientId) return;
  ctx.cookies.set(COOKIE, clientId, {
    signed: true, httpOnly: true, sameSite: 'lax', path: '/session/end', maxAge: TEN_MINUTES, secure: ctx.secure,
  });
}

/** The client the person just signed out of, when the confirmation page named one; the cookie is then cleared. */
export async function signedOutClient(ctx: KoaContextWithOIDC) {
  if (ctx.oidc.client) return ctx.oidc.client;
  const clientId = ctx.cookies.get(COOKIE, { signed: true });
  if (!clientId) return undefined;
  ctx.cookies.set(COOKIE, null, { path: '/session/end', signed: true });
  return (await ctx.oidc.provider.Client.find(clientId)) ?? undefined;
}
