import type { Store } from '../../store/store.ts';
import { SECURITY_SIGN_IN_MAX_AGE_SECONDS } from './security-sign-in.ts';

const MODEL = 'SessionAddedFactors';

/**
 * The factors a session added on the account pages. They were proven when added (by their first
 * code or passkey), so they do not make that same session sign in again; kept in the store, so
 * every node agrees, and only as long as the session's sign-in counts as recent.
 */
export class SessionAddedFactors {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  async list(sessionUid: string): Promise<string[]> {
    const record = await this.#store.oidc.find(MODEL, sessionUid);
    return Array.isArray(record?.factorIds) ? record.factorIds as string[] : [];
  }

  async add(sessionUid: string, factorId: string): Promise<void> {
    const factorIds = [...await this.list(sessionUid), factorId];
    await this.#store.oidc.upsert(MODEL, sessionUid, { factorIds }, SECURITY_SIGN_IN_MAX_AGE_SECONDS);
  }
}
