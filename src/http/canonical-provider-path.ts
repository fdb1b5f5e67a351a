import type { Context, Next } from 'koa';

/**
 * oidc-provider's default routes, which Keyline keeps (and discovery), longest first so that
 * `/token/introspection` is tried before `/token`.
 */
const PROVIDER_ROUTES = [
  '/.well-known/openid-configuration', '/.well-known/oauth-authorization-server',
  '/auth', '/backchannel', '/challenge', '/credential', '/device', '/device/auth', '/jwks', '/me', '/reg', '/request',
  '/session/end', '/session/end/confirm', '/session/end/success', '/token', '/token/introspection', '/token/revocation',
].sort((a, b) => b.length - a.length);

const asciiLowerCase = (text: string) => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());

/**
 * The path oidc-provider would route a request by, spelt as Keyline's checks spell it. Its router
 * matches route segments in any ASCII case and forgives one trailing slash (`/TOKEN`, `/Auth/`),
 * while the checks in front of it (JSON for machines, a visible `state`, the refused request
 * object's mode, POST as GET) compare `ctx.path` exactly: a request in another spelling reached the
 * endpoint without them. What follows a route's own segments (an id) keeps its case.
 */
export function canonicalProviderPath(path: string): string {
  const folded = asciiLowerCase(path);
  for (const route of PROVIDER_ROUTES) {
    if (folded === route || folded === `${route}/`) return route;
    if (folded.startsWith(`${route}/`)) return `${route}${path.slice(route.length)}`;
  }
  return path;
}

/** Early in the chain, so every later check and oidc-provider read the same path. */
export async function canonicalisePath(ctx: Context, next: Next): Promise<void> {
  const canonical = canonicalProviderPath(ctx.path);
  if (canonical !== ctx.path) ctx.path = canonical;
  await next();
}
