import type { Context } from 'koa';
import { ADMIN_API_PATH } from '../oidc/admin-api-resource.ts';

/**
 * The endpoints programs call (oidc-provider's default routes for them, which Keyline keeps; the
 * admin API; the shared-signals API; every /.well-known/ document). They answer JSON whatever
 * Accept says, errors, 404 and 405 included: the JDK's default Accept
 * (`text/html, image/gif, image/jpeg, *; q=.2` and any type at .2) prefers HTML, and Nimbus and Spring
 * Security on it cannot read an OAuth error from a page (RFC 6749 §5.2, RFC 7591 §3.2.2, ...).
 */
const MACHINE_PATHS = ['/token', '/me', '/device/auth', '/request', '/reg', '/jwks', '/challenge', '/backchannel', ADMIN_API_PATH, '/ssf', '/.well-known'];
/** What upstreams call: their back-channel logout tokens and their shared-signals pushes (upstream-logout-routes.ts). */
const UPSTREAM_RECEIVERS = /^\/federation\/[^/]+\/(?:backchannel-logout|events)\/?$/;

export function isMachineRequest(ctx: Pick<Context, 'path'>): boolean {
  return MACHINE_PATHS.some((path) => ctx.path === path || ctx.path.startsWith(`${path}/`)) || UPSTREAM_RECEIVERS.test(ctx.path);
}

/** Whether a failure is answered with the error page rather than JSON. */
export function wantsErrorPage(ctx: Pick<Context, 'path' | 'accepts'>): boolean {
  return !isMachineRequest(ctx) && ctx.accepts('json', 'html') === 'html';
}
