import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from '../../store/store.ts';
import { generateRecoveryCodes, hashRecoveryCode, looksLikeRecoveryCode } from './recovery-codes.ts';

const LEASE_SECONDS = 10;
const RETRY_MS = 25;

/** Ten single-use codes per account, for when the phone or key is gone. Only hashes are kept. */
export class RecoveryCodeService {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * New codes, shown once; the old ones stop working. A replacement is a removal and an insertion,
   * which MongoDB does not make one step: two at once (a double click, two tabs) each removed the
   * old codes and each inserted ten, leaving twenty. Under the account's lease, the store's one
   * mutual exclusion across nodes, they run in turn and the last set is the only one.
   */
  async regenerate(accountId: string): Promise<string[]> {
    const codes = generateRecoveryCodes();
    const lease = `recovery-codes:${accountId}`;
    const holder = randomUUID();
    for (let waited = 0; !await this.#store.leases.acquire(lease, holder, LEASE_SECONDS); waited += RETRY_MS) {
      if (waited >= LEASE_SECONDS * 1000) throw new Error('recovery codes: the account\'s lease was not released');
      await sleep(RETRY_MS);
    }
    try {
      await this.#store.recoveryCodes.replace(accountId, codes.map(hashRecoveryCode));
    } finally {
      await this.#store.leases.release(lease, holder);
    }
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
