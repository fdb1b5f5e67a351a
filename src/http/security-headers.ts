import type { Context, Next } from 'koa';
import type { ContentSecurityPolicy } from './content-security-policy.ts';
import type { KeylineState } from './keyline-state.ts';
import { arrivedOverTls } from '../oidc/conformance/pin-host-to-issuer.ts';

const ONE_YEAR = 365 * 24 * 3600;

/** The headers every response carries besides its CSP; HSTS only over https. */
export const FIXED_SECURITY_HEADERS = {
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
} as const;
export const HSTS = `max-age=${ONE_YEAR}; includeSubDomains`;

/**
 * Headers for every response. The CSP allows only this response's nonce for scripts and styles
 * (see content-security-policy.ts for images and operator-configured origins);
 * oidc-provider appends the hash of its own form_post script when it renders one.
 * `form-action` is left out on purpose: browsers apply it to the redirect chain after a form post,
 * which would block the final redirect to the client's redirect_uri.
 */
export function securityHeaders(csp: ContentSecurityPolicy) {
  return async (ctx: Context & { state: KeylineState }, next: Next): Promise<void> => {
    ctx.set({ 'Content-Security-Policy': csp.header(ctx.state.cspNonce), ...FIXED_SECURITY_HEADERS });
    if (arrivedOverTls(ctx)) ctx.set('Strict-Transport-Security', HSTS);
    await next();
    if (ctx.response.get('X-Powered-By')) ctx.remove('X-Powered-By');
  };
}
