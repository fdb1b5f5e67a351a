import type { OidcPayload, Store } from '../store/store.ts';

/**
 * Records of one model in the store that live a while and are taken once: any node reads them, and
 * of several callers (a replay, a race across nodes) only the first `take` gets the record.
 */
export class SingleUseRecords<T extends OidcPayload> {
  readonly #store: Store;
  readonly #model: string;
  readonly #ttlSeconds: number;

  constructor(store: Store, model: string, ttlSeconds: number) {
    this.#store = store;
    this.#model = model;
    this.#ttlSeconds = ttlSeconds;
  }

  async save(id: string, record: T): Promise<void> {
    await this.#store.oidc.upsert(this.#model, id, record, this.#ttlSeconds);
  }

  /** The record, once: every later or concurrent caller gets nothing. */
  async take(id: string): Promise<T | undefined> {
    const record = await this.#store.oidc.find(this.#model, id) as T | undefined;
    if (!record || !await this.#store.oidc.consume(this.#model, id)) return undefined;
    return record;
  }
}
