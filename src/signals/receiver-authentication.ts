import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { HttpError } from '../http/http-error.ts';
import { jwtAccessTokenStateOf } from '../oidc/jwt-access-tokens/structured-token-routes.ts';
import { SSF_SCOPE, transmitterResource } from './transmitter-resource.ts';

function challenge(ctx: Context, error?: 'invalid_token' | 'insufficient_scope'): void {
  ctx.set('WWW-Authenticate', error ? `Bearer error="${error}"${error === 'insufficient_scope' ? `, scope="${SSF_SCOPE}"` : ''}` : 'Bearer');
}

/**
 * The receiver a stream-management or poll request comes from: the client of a live JWT access
 * token Keyline issued by client credentials for the transmitter's resource with the `ssf` scope
 * (judged like any JWT access token: signature, expiry, not revoked, client still registered).
 * 401 with a Bearer challenge otherwise; 403 for a good token without the scope.
 */
export async function authenticateReceiver(ctx: Context, provider: () => Provider, issuer: string): Promise<string> {
  const [, token] = /^Bearer\s+([\w.~+/-]+=*)$/i.exec(ctx.get('authorization').trim()) ?? [];
  if (!token) {
    challenge(ctx);
    throw new HttpError(401, 'invalid_request', 'A bearer access token with the ssf scope is required.');
  }
  const judgement = await jwtAccessTokenStateOf(provider()).judge(token);
  const claims = judgement?.active ? judgement.claims : undefined;
  const audiences = claims ? [claims.aud].flat() : [];
  if (!claims || !audiences.includes(transmitterResource(issuer)) || claims.sub !== claims.client_id) {
    challenge(ctx, 'invalid_token');
    throw new HttpError(401, 'invalid_token', 'The access token is not valid for the shared-signals API: get one by client credentials for this resource.');
  }
  if (!(claims.scope ?? '').split(' ').includes(SSF_SCOPE)) {
    challenge(ctx, 'insufficient_scope');
    throw new HttpError(403, 'insufficient_scope', 'The access token lacks the ssf scope.');
  }
  return claims.client_id;
}
