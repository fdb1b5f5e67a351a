import type { Store } from '../../store/store.ts';
import { generateRecoveryCodes, hashRecoveryCode, looksLikeRecoveryCode } from './recovery-codes.ts';

/** Ten single-use codes per account, for when the phone or key is gone. Only hashes are kept. */
export class RecoveryCodeService {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** New codes, shown once; the old ones stop working. */
  async regenerate(accountId: string): Promise<string[]> {
    const codes = generateRecoveryCodes();
    await this.#store.recoveryCodes.replace(accountId, codes.map(hashRecoveryCode));
    return codes;
  }

  /** Uses a code; returns how many are left, or undefined when the code is wrong or was used. */
  async use(accountId: string, code: string): Promise<number | undefined> {
    if (!looksLikeRecoveryCode(code) || !await this.#store.recoveryCodes.use(accountId, hashRecoveryCode(code))) return undefined;
    return this.#store.recoveryCodes.countUnused(accountId);
  }

  remaining(accountId: string): Promise<number> {
    return this.#store.recoveryCodes.countUnused(accountId);
  }
}
