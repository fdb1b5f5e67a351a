import type { Store } from '../store/store.ts';
import { SingleUseRecords } from './single-use-records.ts';
import type { UpstreamIdentity } from './upstream.ts';

const MODEL = 'UpstreamLink';

/**
 * An upstream identity waiting to be linked to the local account with its verified email, kept in
 * the store under the interaction's uid (never in a cookie): only the browser of that interaction
 * reaches it (loadInteraction), any node can continue it, and it expires with the interaction.
 */
export interface PendingUpstreamLink {
  [key: string]: unknown;
  upstreamId: string;
  /** The local account the person must prove before the link is made. */
  accountId: string;
  identity: UpstreamIdentity;
}

export class PendingUpstreamLinks {
  readonly #store: Store;
  readonly #records: SingleUseRecords<PendingUpstreamLink>;

  constructor(store: Store, ttlSeconds: number) {
    this.#store = store;
    this.#records = new SingleUseRecords(store, MODEL, ttlSeconds);
  }

  /** A later upstream step of the same interaction replaces it (afresh: a taken record is never usable again). */
  async save(interactionUid: string, link: PendingUpstreamLink): Promise<void> {
    await this.#store.oidc.destroy(MODEL, interactionUid);
    await this.#records.save(interactionUid, link);
  }

  /** The pending link while it is still to be made (for the page), without taking it. */
  async load(interactionUid: string): Promise<PendingUpstreamLink | undefined> {
    const link = await this.#store.oidc.find(MODEL, interactionUid) as PendingUpstreamLink | undefined;
    return link && !link.consumed ? link : undefined;
  }

  /** The pending link, once: of concurrent proofs of one interaction, exactly one makes the link. */
  take(interactionUid: string): Promise<PendingUpstreamLink | undefined> {
    return this.#records.take(interactionUid);
  }
}
