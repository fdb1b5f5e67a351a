import type { Context, Next } from 'koa';

/**
 * Every URL Keyline and oidc-provider build (discovery, endpoints, redirects, form actions) comes
 * from the request's host and scheme, which a client chooses: `Host: evil.example` made discovery
 * list evil.example endpoints, and `X-Forwarded-Proto` (which a proxy may pass on as the client
 * wrote it) made it list another scheme; a shared cache then served either to everyone for five
 * minutes. Pinning both to the issuer's before anything reads them makes every built URL the
 * issuer's. Secure cookies follow the issuer's scheme too: an https issuer is only ever reached over
 * TLS (at the proxy); `keyline doctor --url` reports a deployment where it is not. HSTS alone still
 * follows the transport the request came by (`arrivedOverTls`): RFC 6797 §7.2 forbids it over plain http.
 */
const overTls = new WeakMap<object, boolean>();

/** Whether the request came over TLS (to Keyline, or to a trusted proxy that says so): for HSTS only, never for a URL. */
export function arrivedOverTls(ctx: Pick<Context, 'request'>): boolean {
  return overTls.get(ctx.request) ?? false;
}

export function pinHostToIssuer(issuer: string) {
  const issuerHost = new URL(issuer).host;
  const issuerScheme = issuerSchemeOf(issuer);
  return async (ctx: Context, next: Next): Promise<void> => {
    const { headers } = ctx.req;
    headers.host = issuerHost;
    if (headers['x-forwarded-host'] !== undefined) delete headers['x-forwarded-host'];
    overTls.set(ctx.request, ctx.request.secure);
    // Koa's `protocol` getter reads X-Forwarded-Proto; `secure`, `origin` and `href` read `protocol`.
    Object.defineProperty(ctx.request, 'protocol', { value: issuerScheme });
    await next();
  };
}

/** The scheme every published URL has: the issuer's. */
export function issuerSchemeOf(issuer: string): string {
  return new URL(issuer).protocol.slice(0, -1);
}
