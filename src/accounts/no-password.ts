import type { AccountRecord } from '../store/store.ts';

/**
 * The password hash of an account that has no password (made just-in-time for an upstream
 * identity): empty, which is never an argon2 hash, so no password ever matches it. Stored as the
 * empty string rather than null so both backends keep their schema; readers ask `hasPassword`.
 */
export const NO_PASSWORD = '';

export function hasPassword(account: Pick<AccountRecord, 'passwordHash'>): boolean {
  return account.passwordHash !== NO_PASSWORD;
}
