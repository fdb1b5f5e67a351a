import type { Context, Next } from 'koa';

/**
 * Every URL Keyline and oidc-provider build (discovery, endpoints, redirects, form actions) comes
 * from the request's host, which a client chooses: `Host: evil.example` made discovery list
 * evil.example endpoints, which a shared cache could then serve to everyone. Pinning the host to
 * the issuer's before anything reads it makes every built URL the issuer's. The scheme still
 * follows the connection (or X-Forwarded-Proto behind a trusted proxy), so that cookies and HSTS
 * stay honest about the transport; `keyline doctor --url` reports a proxy that does not say https.
 */
export function pinHostToIssuer(issuer: string) {
  const issuerHost = new URL(issuer).host;
  return async (ctx: Context, next: Next): Promise<void> => {
    const { headers } = ctx.req;
    headers.host = issuerHost;
    if (headers['x-forwarded-host'] !== undefined) delete headers['x-forwarded-host'];
    await next();
  };
}
