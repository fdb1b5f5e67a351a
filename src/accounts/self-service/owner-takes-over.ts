import type { AccountRecord, Store } from '../../store/store.ts';
import type { AccountsService } from '../accounts-service.ts';

/**
 * The owner of an address takes over the unverified sign-up that held it (by verifying the address,
 * resetting the password or signing up again): whatever anyone set on it is discarded (second
 * factors and recovery codes, profile, remembered consents, linked upstream identities; every
 * session, grant and token ends)
 * and the account keeps only the owner's password and name.
 */
export async function ownerTakesOver(
  deps: { store: Store; accounts: AccountsService }, account: AccountRecord, password: string, name: string | null,
): Promise<AccountRecord> {
  await deps.accounts.resetSecondFactors(account.email);
  await deps.store.consents.removeForAccount(account.id);
  // An upstream identity that made or joined the account before the address was proven is not the owner's.
  await deps.store.federatedIdentities.removeAccount(account.id);
  await deps.store.accounts.update(account.id, { name, profile: {} });
  return deps.accounts.setPassword(account.email, password, 'user');
}
