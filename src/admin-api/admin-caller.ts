import type { Context, Next } from 'koa';
import type { KeylineState } from '../http/keyline-state.ts';
import { ADMIN_READ_SCOPE, ADMIN_SCOPE } from '../oidc/admin-api-resource.ts';
import type { JwtJudgement } from '../oidc/jwt-access-tokens/jwt-access-token-state.ts';
import type { AdminAccess } from './admin-operation.ts';
import { ProblemError } from './problem.ts';

/** Who calls the admin API: a client, by a JWT access token Keyline issued to it. */
export interface AdminCaller {
  clientId: string;
  scopes: ReadonlySet<string>;
  audiences: readonly string[];
  /** A client-credentials token's subject is its client; a user's token has the user's. */
  forClientItself: boolean;
}

export interface AdminState extends KeylineState {
  adminCaller?: AdminCaller;
  /** The operation the request was routed to (its operationId). */
  adminOperation?: string;
  /** Set once the call recorded its own audit event (a change); otherwise the call is recorded as a read or a refusal. */
  adminAudited?: boolean;
}

export type AdminContext = Context & { state: AdminState };

const REALM = 'realm="keyline admin API"';

function unauthorized(detail: string, withError: boolean): ProblemError {
  const challenge = withError ? `Bearer ${REALM}, error="invalid_token", error_description="${detail}"` : `Bearer ${REALM}`;
  return new ProblemError(401, withError ? 'invalid_token' : 'unauthorized', detail, { headers: { 'WWW-Authenticate': challenge } });
}

function forbidden(detail: string, scope: string): ProblemError {
  return new ProblemError(403, 'insufficient_scope', detail, {
    headers: { 'WWW-Authenticate': `Bearer ${REALM}, error="insufficient_scope", scope="${scope}", error_description="${detail}"` },
  });
}

/**
 * The only way in: `Authorization: Bearer <JWT>`, a token Keyline itself issued, judged by the
 * same rules as introspection (signature, issuer, expiry, not revoked, client still registered).
 * A token revoked a moment ago is refused at once, because the judgement reads the store.
 */
export function authenticateAdminCaller(judge: (token: string) => Promise<JwtJudgement>) {
  return async (ctx: AdminContext, next: Next): Promise<void> => {
    const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(ctx.get('authorization'));
    if (!match) throw unauthorized('the admin API needs an access token: Authorization: Bearer <token from client credentials>', false);
    const judgement = await judge(match[1]!);
    if (!judgement.active) throw unauthorized('the access token is invalid, expired or revoked', true);
    const { claims } = judgement;
    // A sender-constrained token must be presented with its proof; the admin API takes plain bearer tokens only.
    if (claims.cnf !== undefined) throw unauthorized('a sender-constrained (DPoP or mTLS) token cannot be used as a bearer token here', true);
    ctx.state.adminCaller = {
      clientId: claims.client_id,
      scopes: new Set((claims.scope ?? '').split(' ').filter(Boolean)),
      audiences: typeof claims.aud === 'string' ? [claims.aud] : claims.aud ?? [],
      forClientItself: claims.sub === claims.client_id,
    };
    await next();
  };
}

/** Refuses, with 403, a token for another API, a user's token, or one without the scope the operation needs. */
export function authorizeAdminCall(caller: AdminCaller, access: AdminAccess, audience: string): void {
  const needed = access === 'write' ? ADMIN_SCOPE : ADMIN_READ_SCOPE;
  if (!caller.audiences.includes(audience)) throw forbidden(`the token is not for the admin API: its audience must be ${audience}`, needed);
  if (!caller.forClientItself) throw forbidden('the admin API takes client-credentials tokens only, not a user\'s token', needed);
  const allowed = access === 'write' ? caller.scopes.has(ADMIN_SCOPE) : caller.scopes.has(ADMIN_SCOPE) || caller.scopes.has(ADMIN_READ_SCOPE);
  if (!allowed) {
    throw forbidden(access === 'write'
      ? `this operation changes Keyline and needs the scope ${ADMIN_SCOPE}`
      : `this operation needs the scope ${ADMIN_READ_SCOPE} or ${ADMIN_SCOPE}`, needed);
  }
}
