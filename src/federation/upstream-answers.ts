import type { Store } from '../store/store.ts';
import { SingleUseRecords } from './single-use-records.ts';
import type { UpstreamPending } from './upstream.ts';

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
export class UpstreamAnswers extends SingleUseRecords<UpstreamAnswer> {
  constructor(store: Store, ttlSeconds: number) {
    super(store, 'UpstreamAnswer', ttlSeconds);
  }
}
