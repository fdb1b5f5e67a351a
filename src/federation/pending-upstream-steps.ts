import type { Store } from '../store/store.ts';
import type { UpstreamPending } from './upstream.ts';

const MODEL = 'UpstreamStep';

/** A redirect step on its way to the upstream: which interaction and upstream it belongs to, and the connector's own state. */
export interface PendingUpstreamStep {
  [key: string]: unknown;
  interactionUid: string;
  upstreamId: string;
  pending: UpstreamPending;
}

/**
 * Redirect steps between start and callback, in the store under the `state` sent to the upstream,
 * so any node can take the callback. `take` is single-use across nodes: a replayed or concurrent
 * callback with the same state finds nothing.
 */
export class PendingUpstreamSteps {
  readonly #store: Store;
  readonly #ttlSeconds: number;

  constructor(store: Store, ttlSeconds: number) {
    this.#store = store;
    this.#ttlSeconds = ttlSeconds;
  }

  async save(state: string, step: PendingUpstreamStep): Promise<void> {
    await this.#store.oidc.upsert(MODEL, state, step, this.#ttlSeconds);
  }

  /** The step for this state, once: the first caller gets it, every later or concurrent one gets nothing. */
  async take(state: string): Promise<PendingUpstreamStep | undefined> {
    const step = await this.#store.oidc.find(MODEL, state) as PendingUpstreamStep | undefined;
    if (!step || !await this.#store.oidc.consume(MODEL, state)) return undefined;
    return step;
  }
}
