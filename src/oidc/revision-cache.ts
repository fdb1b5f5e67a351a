const MAX_ENTRIES = 10_000;

/** A store repository whose every create, update and remove bumps one revision number. */
export interface RevisionedSource<T> {
  find(id: string): Promise<T | undefined>;
  revision(): Promise<number>;
  /** Every record; only for sets small enough to hold whole (upstreams). */
  list?(): Promise<T[]>;
}

/**
 * Records by id, read from the store once and reused. At most every `recheckMs` it asks the store
 * for the repository's revision, which every write bumps (from any process, the CLI included); a
 * new revision empties the cache. So a change reaches every node within `recheckMs`, for one cheap
 * query each. Unknown ids are not cached, so guessing ids cannot grow it. Clients (oidc-provider
 * looks one up on every protocol request) and API resources both go through it.
 */
export class RevisionCache<T> {
  readonly #source: RevisionedSource<T>;
  readonly #recheckMs: number;
  readonly #entries = new Map<string, T>();
  #all: T[] | undefined;
  #revision: number | undefined;
  #checkedAt = 0;
  /** Bumped on every clear, so a read that started before a clear does not refill it with old data. */
  #generation = 0;

  constructor(source: RevisionedSource<T>, recheckMs = 250) {
    this.#source = source;
    this.#recheckMs = recheckMs;
  }

  async find(id: string): Promise<T | undefined> {
    await this.#recheckWhenDue();
    const cached = this.#entries.get(id);
    if (cached !== undefined) return cached;
    const generation = this.#generation;
    const value = await this.#source.find(id);
    if (value !== undefined && generation === this.#generation) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
      this.#entries.set(id, value);
    }
    return value;
  }

  /** Every record, read once per revision like single records (the source must be able to list). */
  async list(): Promise<T[]> {
    if (!this.#source.list) throw new Error('this source cannot list its records');
    await this.#recheckWhenDue();
    if (this.#all) return this.#all;
    const generation = this.#generation;
    const all = await this.#source.list();
    if (generation === this.#generation) this.#all = all;
    return all;
  }

  /** Drops one record at once, for a change this node made itself (the revision tells the others). */
  forget(id: string): void {
    this.#generation += 1;
    this.#entries.delete(id);
    this.#all = undefined;
  }

  async #recheckWhenDue(): Promise<void> {
    const now = Date.now();
    if (now - this.#checkedAt < this.#recheckMs) return;
    this.#checkedAt = now;
    const revision = await this.#source.revision();
    if (revision !== this.#revision) {
      this.#revision = revision;
      this.#generation += 1;
      this.#entries.clear();
      this.#all = undefined;
    }
  }
}
