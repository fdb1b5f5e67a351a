import type { Context, Next } from 'koa';
import type { KeylineState } from '../http/keyline-state.ts';
import { ADMIN_HELPDESK_SCOPE, ADMIN_READ_SCOPE, ADMIN_SCOPE } from '../oidc/admin-api-resource.ts';
import type { JwtJudgement } from '../oidc/jwt-access-tokens/jwt-access-token-state.ts';
import type { AdminOperation } from './admin-operation.ts';
import { ProblemError } from './problem.ts';

/** Who calls the admin API: a client by client credentials, or a person through a client, by a JWT access token Keyline issued. */
export interface AdminCaller {
  clientId: string;
  /** A person's token (its subject is not its client): the person's account id. */
  accountId?: string;
  /** What the call may use: the token's scopes; for a person, only those their roles permit right now. */
  scopes: ReadonlySet<string>;
  audiences: readonly string[];
}

/**
 * The admin API scopes a person's built-in roles give them now, read fresh at every call; undefined
 * when the account is gone or disabled.
 */
export type PersonPermissions = (accountId: string) => Promise<readonly string[] | undefined>;

/** The admin API scopes an account's built-in roles give it, disabled or not; none for an account that does not exist. */
export type HeldPermissions = (accountId: string) => Promise<readonly string[]>;

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
export function authenticateAdminCaller(judge: (token: string) => Promise<JwtJudgement>, personPermissions: PersonPermissions) {
  return async (ctx: AdminContext, next: Next): Promise<void> => {
    const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(ctx.get('authorization'));
    if (!match) throw unauthorized('the admin API needs an access token: Authorization: Bearer <token from client credentials>', false);
    const judgement = await judge(match[1]!);
    if (!judgement.active) throw unauthorized('the access token is invalid, expired or revoked', true);
    const { claims } = judgement;
    // A sender-constrained token must be presented with its proof; the admin API takes plain bearer tokens only.
    if (claims.cnf !== undefined) throw unauthorized('a sender-constrained (DPoP or mTLS) token cannot be used as a bearer token here', true);
    const tokenScopes = (claims.scope ?? '').split(' ').filter(Boolean);
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud ?? [];
    if (claims.sub === undefined || claims.sub === claims.client_id) {
      ctx.state.adminCaller = { clientId: claims.client_id, scopes: new Set(tokenScopes), audiences };
    } else {
      // A person's token says what they could do when it was issued; their roles now say what they may do.
      const permitted = await personPermissions(claims.sub);
      if (!permitted) throw unauthorized('the account this token was issued for is disabled or removed', true);
      ctx.state.adminCaller = {
        clientId: claims.client_id, accountId: claims.sub, scopes: new Set(tokenScopes.filter((scope) => permitted.includes(scope))), audiences,
      };
    }
    await next();
  };
}

/**
 * The scopes any one of which lets a caller run the operation: keyline:admin for everything,
 * keyline:admin:read for reads, keyline:helpdesk for the help desk's operations.
 */
export function scopesThatSuffice(operation: Pick<AdminOperation, 'access' | 'helpdesk'>): string[] {
  return [ADMIN_SCOPE, ...(operation.access === 'read' ? [ADMIN_READ_SCOPE] : []), ...(operation.helpdesk ? [ADMIN_HELPDESK_SCOPE] : [])];
}

/** Refuses, with 403, a token for another API, or a caller without a scope that suffices for the operation. */
export function authorizeAdminCall(caller: AdminCaller, operation: Pick<AdminOperation, 'access' | 'helpdesk'>, audience: string): void {
  const sufficient = scopesThatSuffice(operation);
  // The challenge names the one scope that suffices for every operation of this kind (RFC 6750 §3.1 takes one set).
  const needed = operation.access === 'write' ? ADMIN_SCOPE : ADMIN_READ_SCOPE;
  if (!caller.audiences.includes(audience)) throw forbidden(`the token is not for the admin API: its audience must be ${audience}`, needed);
  if (sufficient.some((scope) => caller.scopes.has(scope))) return;
  const what = caller.accountId
    ? 'your roles (keyline-admin, keyline-helpdesk, keyline-viewer) and this token do not permit it'
    : 'this client\'s token does not carry it';
  throw forbidden(`this operation needs ${sufficient.length === 1 ? 'the scope' : 'one of the scopes'} ${sufficient.join(', ')}; ${what}`, needed);
}

/**
 * The help desk changes people no stronger than itself. A caller whose only right to a help-desk
 * change is keyline:helpdesk may not make it to an account holding an admin API scope the caller
 * lacks: unlocking an administrator again and again (to keep guessing the password) and then
 * resetting their second factor would make the help desk an administrator.
 */
export async function authorizeHelpdeskTarget(
  caller: AdminCaller, operation: Pick<AdminOperation, 'access' | 'helpdesk'>, accountId: string | undefined, held: HeldPermissions,
): Promise<void> {
  if (!operation.helpdesk || operation.access !== 'write' || caller.scopes.has(ADMIN_SCOPE) || accountId === undefined) return;
  const beyond = (await held(accountId)).filter((scope) => !caller.scopes.has(scope));
  if (beyond.length > 0) {
    throw forbidden(`this account holds admin API rights the caller does not (${beyond.join(', ')}): only keyline-admin (${ADMIN_SCOPE}) may change it`, ADMIN_SCOPE);
  }
}
