import { effectiveAccessOfAccount, globalRoleNames } from '../authorization/effective-access.ts';
import type { ClaimScopes, ClaimSource } from '../config/schema.ts';
import type { AccountRecord, Store } from '../store/store.ts';

/** The `groups` scope's claim, and the operator's `claims:` scopes, as oidc-provider's claims configuration takes them. */
export function claimScopeClaims(claimScopes: ClaimScopes): Record<string, string[]> {
  return Object.fromEntries(Object.entries(claimScopes).map(([scope, claims]) => [scope, Object.keys(claims)]));
}

/**
 * The claims this release asks for that come from the authorization model: `groups` (by the scope
 * or the claims parameter) and the mapped claims of the granted `claims:` scopes (or asked for by
 * name). Each only while the client is registered for the scope that releases it: neither the
 * claims parameter nor a refresh token granted before an administrator took the scope from the
 * client gives it what the administrator keeps from it. oidc-provider masks what the grant does
 * not allow; this only decides what to read.
 */
function wantedClaims(
  claimScopes: ClaimScopes, scope: string, requested: Record<string, unknown> | undefined, clientScope: string | undefined,
): Map<string, ClaimSource> {
  const granted = new Set(scope.split(' '));
  const registered = new Set((clientScope ?? '').split(' '));
  const asked = new Set(Object.keys(requested ?? {}));
  const wanted = new Map<string, ClaimSource>();
  const releases = (claimScope: string, claim: string) => (granted.has(claimScope) || asked.has(claim)) && registered.has(claimScope);
  if (releases('groups', 'groups')) wanted.set('groups', 'groups');
  for (const [claimScope, claims] of Object.entries(claimScopes)) {
    for (const [claim, source] of Object.entries(claims)) {
      if (releases(claimScope, claim)) wanted.set(claim, source);
    }
  }
  return wanted;
}

/**
 * The person's groups (names, inherited included) and mapped claims, for the id_token and UserInfo.
 * Groups and roles are read only when a wanted claim needs them, so an ordinary sign-in costs no
 * extra read; they are read fresh each time, so a change reaches the next token. A missing
 * attribute gives no claim.
 */
export async function authorizationClaims(
  store: Store, issuer: string, claimScopes: ClaimScopes, account: AccountRecord, scope: string, requested: Record<string, unknown> | undefined,
  clientScope: string | undefined,
): Promise<Record<string, unknown>> {
  const wanted = wantedClaims(claimScopes, scope, requested, clientScope);
  if (wanted.size === 0) return {};
  const needsAccess = [...wanted.values()].some((source) => source === 'groups' || source === 'roles');
  const access = needsAccess ? await effectiveAccessOfAccount(store, issuer, account.id) : undefined;
  const claims: Record<string, unknown> = {};
  for (const [claim, source] of wanted) {
    if (source === 'groups') claims[claim] = access!.groups;
    else if (source === 'roles') claims[claim] = globalRoleNames(access!);
    else {
      const value = account.attributes?.[source.slice('attribute.'.length)];
      if (value !== undefined) claims[claim] = value;
    }
  }
  return claims;
}

interface IssuableIdToken {
  available: Record<string, unknown>;
  rejected?: string[];
  set(key: string, value: unknown): void;
  issue(options?: { use?: string }): Promise<string>;
}

/**
 * With an access token beside it, oidc-provider keeps scope-released claims out of the id_token
 * (OIDC Core §5.4: they are at UserInfo) and lets in only those the claims parameter names. Groups
 * and mapped claims go into the id_token as well, so an app learns them at sign-in without a
 * UserInfo call; the other claims keep the library's rule. The claims were computed for this very
 * id_token (authorizationClaims read the granted scope), so only what was granted is there.
 * This touches only this provider instance's own IdToken class.
 */
export function releaseAuthorizationClaimsInIdTokens(provider: { IdToken: { prototype: unknown } }, claimScopes: ClaimScopes): void {
  const names = new Set(['groups', ...Object.values(claimScopes).flatMap((claims) => Object.keys(claims))]);
  const proto = provider.IdToken.prototype as IssuableIdToken;
  const issue = proto.issue;
  proto.issue = function issueWithAuthorizationClaims(this: IssuableIdToken, options?: { use?: string }) {
    if (options?.use === 'idtoken') {
      for (const name of names) {
        if (this.available[name] !== undefined && !this.rejected?.includes(name)) this.set(name, this.available[name]);
      }
    }
    return issue.call(this, options);
  };
}
