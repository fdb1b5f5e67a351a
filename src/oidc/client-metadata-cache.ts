import type { Clients } from '../store/store.ts';

const MAX_ENTRIES = 10_000;

/**
 * Client metadata by id, read from the store once and reused: oidc-provider looks the client up on
 * every protocol request. At most every `recheckMs` it asks the store for the clients' revision,
 * which every create, update and remove bumps (from any process, the CLI included); a new revision
 * empties the cache. So a change reaches every node within `recheckMs`, for one cheap query each.
 * Unknown ids are not cached, so guessing ids cannot grow it.
 */
export class ClientMetadataCache {
  readonly #clients: Clients;
  readonly #recheckMs: number;
  readonly #entries = new Map<string, Record<string, unknown>>();
  #revision: number | undefined;
  #checkedAt = 0;
  /** Bumped on every clear, so a read that started before a clear does not refill it with old data. */
  #generation = 0;

  constructor(clients: Clients, recheckMs = 250) {
    this.#clients = clients;
    this.#recheckMs = recheckMs;
  }

  async find(clientId: string): Promise<Record<string, unknown> | undefined> {
    await this.#recheckWhenDue();
    const cached = this.#entries.get(clientId);
    if (cached) return cached;
    const generation = this.#generation;
    const metadata = (await this.#clients.find(clientId))?.metadata;
    if (metadata && generation === this.#generation) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
      this.#entries.set(clientId, metadata);
    }
    return metadata;
  }

  /** Drops one client at once, for a change this node made itself (the revision tells the others). */
  forget(clientId: string): void {
    this.#generation += 1;
    this.#entries.delete(clientId);
  }

  async #recheckWhenDue(): Promise<void> {
    const now = Date.now();
    if (now - this.#checkedAt < this.#recheckMs) return;
    this.#checkedAt = now;
    const revision = await this.#clients.revision();
    if (revision !== this.#revision) {
      this.#revision = revision;
      this.#generation += 1;
      this.#entries.clear();
    }
  }
}
