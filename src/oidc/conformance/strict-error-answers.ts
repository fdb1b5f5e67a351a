import type { Context, Next } from 'koa';
import { DEVICE_CODE_GRANT } from '../client-registration.ts';

interface OAuthErrorBody {
  error?: unknown;
  error_description?: unknown;
}

const CLIENT_AUTHENTICATED_ROUTES = new Set(['token', 'introspection', 'revocation', 'device_authorization']);

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '')}"`;
}

/** A bearer token was actually presented (in the header or, for userinfo, the form body). */
function presentsBearerToken(ctx: Context): boolean {
  const header = ctx.get('authorization');
  if (/^bearer\s+\S/i.test(header)) return true;
  return !header && typeof (ctx.request as { body?: { access_token?: unknown } }).body?.access_token === 'string';
}

/**
 * oidc-provider answers a few refusals more loosely than the RFCs require; Keyline tightens the
 * answer (never the decision) after the library has made it:
 * - RFC 6749 §5.2: a client using a grant type it is not registered for gets `unauthorized_client`
 *   (at the token endpoint, and at the device authorization endpoint, RFC 8628 §3.2);
 *   a request to a client-authenticated endpoint without client authentication gets 401
 *   `invalid_client`, and every 401 there carries `WWW-Authenticate`.
 * - RFC 6750 §3.1: UserInfo without a usable Bearer token answers 401 with `WWW-Authenticate: Bearer`,
 *   with `error="invalid_token"` only where a token was presented.
 */
export function strictErrorAnswers(issuer: string) {
  const realm = `realm=${quoted(issuer)}`;
  return async (ctx: Context & { oidc?: { route?: string } }, next: Next): Promise<void> => {
    await next();
    const route = ctx.oidc?.route;
    const body = ctx.body as OAuthErrorBody | undefined;
    if (!route || ctx.status < 400 || typeof body?.error !== 'string') return;
    const description = typeof body.error_description === 'string' ? body.error_description : undefined;

    if (route === 'token' && body.error === 'invalid_request' && description === 'requested grant type is not allowed for this client') {
      body.error = 'unauthorized_client';
      body.error_description = 'this client is not registered for the requested grant type';
    }
    if (route === 'device_authorization' && body.error === 'invalid_request' && description === `${DEVICE_CODE_GRANT} is not allowed for this client`) {
      body.error = 'unauthorized_client';
      body.error_description = 'this client is not registered for the device_code grant';
    }
    if (CLIENT_AUTHENTICATED_ROUTES.has(route)) {
      if (body.error === 'invalid_request' && description === 'no client authentication mechanism provided') {
        ctx.status = 401;
        body.error = 'invalid_client';
        body.error_description = 'client authentication is required (HTTP Basic with the client id and secret, or a client assertion)';
      }
      if (ctx.status === 401 && !ctx.response.get('WWW-Authenticate')) ctx.set('WWW-Authenticate', `Basic ${realm}`);
    }
    if (route === 'userinfo' && ctx.status === 400 && body.error === 'invalid_request') {
      ctx.status = 401;
      if (presentsBearerToken(ctx)) {
        body.error = 'invalid_token';
        ctx.set('WWW-Authenticate', `Bearer ${realm}, error="invalid_token", error_description=${quoted(description ?? 'the access token is malformed')}`);
      } else {
        // No credentials in a form Bearer knows: the challenge alone, without an error code.
        ctx.set('WWW-Authenticate', `Bearer ${realm}`);
      }
    }
  };
}
