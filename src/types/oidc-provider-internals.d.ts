/** The few oidc-provider internals Keyline reuses so its own paths behave exactly like the library's. */
declare module 'oidc-provider/lib/helpers/revoke.js' {
  import type { KoaContextWithOIDC } from 'oidc-provider';
  /** Revokes the grant's tokens and codes and (by revokeGrantPolicy) the grant, emitting `grant.revoked`. */
  export default function revoke(ctx: KoaContextWithOIDC, grantId: string): Promise<void>;
}

declare module 'oidc-provider/lib/shared/reject_structured_tokens.js' {
  import type { Middleware } from 'koa';
  const rejectStructuredTokens: Middleware;
  export default rejectStructuredTokens;
}

declare module 'oidc-provider/lib/actions/introspection.js' {
  import type { Middleware } from 'koa';
  const introspection: Middleware[];
  export default introspection;
}

declare module 'oidc-provider/lib/actions/revocation.js' {
  import type { Middleware } from 'koa';
  const revocation: Middleware[];
  export default revocation;
}

declare module 'oidc-provider/lib/helpers/fetch_request.js' {
  /** Loopback, private, link-local, documentation and other addresses that are not globally routable. */
  export function isSpecialUseIP(address: string): boolean;
  /** Destroys a dispatcher's new connection whose remote address is special-use (the library's post-connect check). */
  export function applySSRFProtection<T>(dispatcher: T): T;
}

declare module 'oidc-provider/lib/helpers/user_codes.js' {
  /** What oidc-provider looks a typed user code up by: upper case, without spaces, dashes or other separators. */
  export function normalize(input: string): string;
  /** A normalized user code in the mask's shape again (`BCDFGHJK` → `BCDF-GHJK`). */
  export function denormalize(normalized: string, mask: string): string;
}

declare module 'oidc-provider/lib/helpers/re_render_errors.js' {
  /** What oidc-provider throws on the user-code page; its error handler renders the page again with it. */
  export class ReRenderError extends Error {
    userCode?: string;
  }
  export class NotFoundError extends ReRenderError {}
  export class ExpiredError extends ReRenderError {}
  export class AbortedError extends ReRenderError {}
  export class AlreadyUsedError extends ReRenderError {}
  export class NoCodeError extends ReRenderError {}
}

declare module 'oidc-provider/lib/consts/client_attributes.js' {
  /** The client metadata that are lists (of strings). */
  export const ARYS: readonly string[];
}

declare module 'oidc-provider/lib/actions/registration.js' {
  import type { Middleware } from 'koa';
  /** The steps of an RFC 7592 client update (PUT /reg/:clientId). */
  export const put: Middleware[];
}

declare module 'oidc-provider/lib/helpers/defaults.js' {
  import type { Configuration } from 'oidc-provider';
  /** The library's default configuration, whose helpers Keyline extends rather than re-implements. */
  export const defaults: Required<Pick<Configuration, 'assertJwtClientAuthClaimsAndHeader'>>;
}
