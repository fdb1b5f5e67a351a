import { normalizeEmail } from '../accounts/accounts-service.ts';
import type { AuditQuery, Store } from '../store/store.ts';

/**
 * The audit query for one user, by email: the events about their account, and those naming the
 * address (a failed sign-in for an address without an account has only the email).
 */
export async function eventsAboutUser(store: Store, email: string): Promise<Pick<AuditQuery, 'accountId' | 'email'>> {
  const normalized = normalizeEmail(email);
  const account = await store.accounts.findByEmail(normalized);
  return { email: normalized, ...(account ? { accountId: account.id } : {}) };
}
