import type { AccountRecord } from '../store/store.ts';

/**
 * Which claims each scope releases (OIDC Core §5.4). Every id_token says how and when the person
 * signed in (acr, amr, auth_time), so an app can ask for more without a claims request.
 */
export const SCOPE_CLAIMS = {
  openid: ['sub', 'acr', 'amr', 'auth_time'],
  profile: [
    'name', 'family_name', 'given_name', 'middle_name', 'nickname', 'preferred_username', 'picture', 'website',
    'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at',
  ],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  address: ['address'],
  /** The person's group names, those they are in through a child group included (issue 20). */
  groups: ['groups'],
} as const;

export const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email', 'phone', 'address', 'groups'] as const;

/**
 * Claims an operator's `claims:` may not name: those of the OpenID scopes, the registered JWT
 * claims (RFC 7519 §4.1), the ones OpenID Connect, OAuth and Keyline put in tokens themselves, and
 * RFC 9068's authorization claims.
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  ...Object.values(SCOPE_CLAIMS).flat(),
  'iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti',
  'nonce', 'azp', 'at_hash', 'c_hash', 's_hash', 'sid', 'auth_time', 'acr', 'amr', 'events', 'txn', 'cnf', 'act', 'may_act',
  'scope', 'client_id', 'token_type', 'active', 'username', 'roles', 'permissions', 'entitlements', 'groups', 'typ',
]);

/**
 * Every claim the account has; oidc-provider releases those the granted scopes and the `claims`
 * request ask for. A claim the account lacks is left out, never sent empty.
 */
export function accountClaims(account: AccountRecord): Record<string, unknown> & { sub: string } {
  const claims: Record<string, unknown> & { sub: string } = {
    sub: account.id,
    email: account.email,
    email_verified: account.emailVerified,
    ...(account.name ? { name: account.name } : {}),
    ...account.profile,
    updated_at: Math.floor(account.updatedAt.getTime() / 1000),
  };
  if (account.profile.phone_number) claims.phone_number_verified = account.profile.phone_number_verified === true;
  return claims;
}
