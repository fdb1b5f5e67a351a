import type { Store } from '../store/store.ts';
import type { UpstreamPending } from './upstream.ts';

const MODEL = 'UpstreamAnswer';

/** What an upstream sent back for an interaction: which upstream, its callback parameters, and the step's own state. */
export interface UpstreamAnswer {
  [key: string]: unknown;
  upstreamId: string;
  parameters: Record<string, string>;
  pending: UpstreamPending;
}

/**
 * The callback's parameters between `/federation/<id>/callback` (which cannot see the interaction's
 * path-scoped cookie) and `/interaction/<uid>/upstream/<id>/return` (which can): kept in the store
 * under the interaction's uid, so any node continues it, and taken once.
 */
export class UpstreamAnswers {
  readonly #store: Store;
  readonly #ttlSeconds: number;

  constructor(store: Store, ttlSeconds: number) {
    this.#store = store;
    this.#ttlSeconds = ttlSeconds;
  }

  async keep(interactionUid: string, answer: UpstreamAnswer): Promise<void> {
    await this.#store.oidc.upsert(MODEL, interactionUid, answer, this.#ttlSeconds);
  }

  /** The answer for this interaction, once: every later or concurrent caller gets nothing. */
  async take(interactionUid: string): Promise<UpstreamAnswer | undefined> {
    const answer = await this.#store.oidc.find(MODEL, interactionUid) as UpstreamAnswer | undefined;
    if (!answer || !await this.#store.oidc.consume(MODEL, interactionUid)) return undefined;
    return answer;
  }
}
