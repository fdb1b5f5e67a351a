import type { Context, Next } from 'koa';

/**
 * Every URL Keyline and oidc-provider build (discovery, endpoints, redirects, form actions) comes
 * from the request's host and scheme, which a client chooses: `Host: evil.example` made discovery
 * list evil.example endpoints, and `X-Forwarded-Proto` (which a proxy may pass on as the client
 * wrote it) made it list another scheme; a shared cache then served either to everyone for five
 * minutes. Pinning both to the issuer's before anything reads them makes every built URL the
 * issuer's. Secure cookies and HSTS follow the issuer's scheme too: an https issuer is only ever
 * reached over TLS (at the proxy); `keyline doctor --url` reports a deployment where it is not.
 */
export function pinHostToIssuer(issuer: string) {
  const issuerHost = new URL(issuer).host;
  const issuerScheme = issuerSchemeOf(issuer);
  return async (ctx: Context, next: Next): Promise<void> => {
    const { headers } = ctx.req;
    headers.host = issuerHost;
    if (headers['x-forwarded-host'] !== undefined) delete headers['x-forwarded-host'];
    // Koa's `protocol` getter reads X-Forwarded-Proto; `secure`, `origin` and `href` read `protocol`.
    Object.defineProperty(ctx.request, 'protocol', { value: issuerScheme });
    await next();
  };
}

/** The scheme every published URL has: the issuer's. */
export function issuerSchemeOf(issuer: string): string {
  return new URL(issuer).protocol.slice(0, -1);
}
