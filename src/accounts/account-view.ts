import { hasPassword } from './no-password.ts';
import type { AccountProfile } from './profile-claims.ts';
import type { AccountAttributes, AccountRecord, FactorRecord } from '../store/store.ts';

/** An account as administrators see it (CLI, admin API, audit trail): everything but the password hash. */
export interface AccountView {
  id: string;
  email: string;
  emailVerified: boolean;
  name: string | null;
  disabled: boolean;
  /** Has a password (email + password signs in); false for an account made from an upstream identity that has not set one. */
  signInByEmail: boolean;
  profile: AccountProfile;
  /** The operator's custom attributes (config `attributes:`); their values are not secrets. */
  attributes: AccountAttributes;
  createdAt: string;
  updatedAt: string;
}

export function accountView(account: AccountRecord): AccountView {
  return {
    id: account.id,
    email: account.email,
    emailVerified: account.emailVerified,
    name: account.name,
    disabled: account.disabled,
    signInByEmail: hasPassword(account),
    profile: account.profile,
    attributes: account.attributes ?? {},
    createdAt: account.createdAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
  };
}

/** A second factor as administrators see it: what it is and when it was used, never its secret or key. */
export interface FactorView {
  id: string;
  type: FactorRecord['type'];
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export function factorView(factor: FactorRecord): FactorView {
  return {
    id: factor.id,
    type: factor.type,
    name: factor.name,
    createdAt: factor.createdAt.toISOString(),
    lastUsedAt: factor.lastUsedAt?.toISOString() ?? null,
  };
}

/** The fields of an account an administrator changes, as the audit trail compares them. */
export function changeableFields(account: AccountRecord): Record<string, unknown> {
  return { name: account.name, disabled: account.disabled, emailVerified: account.emailVerified, ...account.profile };
}
