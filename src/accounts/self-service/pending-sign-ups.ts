import type { AccountRecord, Store } from '../../store/store.ts';

const MODEL = 'PendingSignUp';
/** The marker outlives any realistic wait for verification; verifying the address removes it. */
const KEEP_SECONDS = 10 * 365 * 24 * 3600;

/**
 * Accounts people created themselves and have not verified yet. Only these are held back from
 * signing in (unless `registration.allowUnverifiedLogin`): accounts an administrator added stay
 * as they were, verified or not. A record in the store, so every node agrees.
 */
export class PendingSignUps {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Keyed by the account id, but not filed under the account: ending the account's sessions
   * (sign out everywhere, a new password, a second-factor reset) removes every record filed under
   * it, and must not make an unverified sign-up look verified.
   */
  mark(accountId: string): Promise<void> {
    return this.#store.oidc.upsert(MODEL, accountId, { signedUp: accountId }, KEEP_SECONDS);
  }

  clear(accountId: string): Promise<void> {
    return this.#store.oidc.destroy(MODEL, accountId);
  }

  /** The account signed itself up and its address is still unproven. */
  async awaitsVerification(account: AccountRecord): Promise<boolean> {
    if (account.emailVerified) return false;
    const marker = await this.#store.oidc.find(MODEL, account.id);
    if (!marker) return false;
    // A marker written before it was kept apart from the account is moved apart when first read.
    if ('accountId' in marker) await this.mark(account.id);
    return true;
  }
}
