import type { KoaContextWithOIDC } from 'oidc-provider';

const TEN_MINUTES = 10 * 60 * 1000;

/** Prefixed over https like Keyline's other cookies (browsers then insist on Secure). */
function cookieName(ctx: KoaContextWithOIDC): string {
  return ctx.secure ? '__Secure-keyline.logout-client' : 'keyline.logout-client';
}

/**
 * oidc-provider forgets which app asked for a logout once the session is gone, so the signed-out
 * page could not offer to sign in to it again. The logout confirmation page remembers the client
 * id in a short-lived signed cookie that only the logout pages see.
 */
export function rememberSigningOutClient(ctx: KoaContextWithOIDC, clientId: string | undefined): void {
  if (!clientId) return;
  ctx.cookies.set(cookieName(ctx), clientId, {
    signed: true, httpOnly: true, sameSite: 'lax', path: '/session/end', maxAge: TEN_MINUTES, secure: ctx.secure,
  });
}

/** The client the person just signed out of, when the confirmation page named one; the cookie is then cleared. */
export async function signedOutClient(ctx: KoaContextWithOIDC) {
  if (ctx.oidc.client) return ctx.oidc.client;
  const clientId = ctx.cookies.get(cookieName(ctx), { signed: true });
  if (!clientId) return undefined;
  ctx.cookies.set(cookieName(ctx), null, { path: '/session/end', signed: true, secure: ctx.secure });
  return (await ctx.oidc.provider.Client.find(clientId)) ?? undefined;
}
