import type { AccountRecord } from '../store/store.ts';

/** Which claims each scope releases. */
export const SCOPE_CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'updated_at'],
} as const;

export const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email'] as const;

export function accountClaims(account: AccountRecord): Record<string, unknown> {
  return {
    sub: account.id,
    email: account.email,
    // Keyline does not run an email verification flow yet; an administrator vouches for the address.
    email_verified: false,
    name: account.name ?? undefined,
    updated_at: Math.floor(account.updatedAt.getTime() / 1000),
  };
}
