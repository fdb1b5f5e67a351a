import type { Context, Next } from 'koa';
import { decodeJwt } from 'jose';

/** The response modes oidc-provider offers for the `code` response type. */
const RESPONSE_MODES = new Set(['query', 'fragment', 'form_post']);
/** What the refusal's delivery needs from the object: how, and the state to echo. */
const DELIVERY_PARAMS = ['response_mode', 'state'] as const;

/**
 * Keyline refuses request objects (RFC 9101): oidc-provider answers `request_not_supported` and
 * delivers it by the request's own `response_mode`, so a client that put `response_mode=form_post`
 * only inside its request object got the error as a query redirect (the OpenID Foundation's Form
 * Post plan checks that it comes by POST). For that refusal the delivery parameters the outer
 * request lacks are read from the object's claims, unverified: they only choose how the error
 * reaches the redirect URI, which oidc-provider still checks against the client's registration.
 * Supporting request objects instead would add a signed-input surface (client keys, `alg`s,
 * encryption) for a feature PAR already covers; this keeps the refusal and fixes its delivery.
 */
export async function refusedRequestObjectMode(ctx: Context, next: Next): Promise<void> {
  const request = ctx.query.request;
  if (ctx.path !== '/auth' || ctx.method !== 'GET' || typeof request !== 'string') {
    await next();
    return;
  }
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(request);
  } catch {
    await next();
    return;
  }
  const query = { ...ctx.query };
  for (const name of DELIVERY_PARAMS) {
    const value = claims[name];
    if (query[name] !== undefined || typeof value !== 'string') continue;
    if (name === 'response_mode' && !RESPONSE_MODES.has(value)) continue;
    query[name] = value;
  }
  ctx.query = query;
  await next();
}
