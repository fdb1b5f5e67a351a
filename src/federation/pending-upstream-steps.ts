import type { Store } from '../store/store.ts';
import { SingleUseRecords } from './single-use-records.ts';
import type { UpstreamPending } from './upstream.ts';

/** A redirect step on its way to the upstream: which interaction and upstream it belongs to, and the connector's own state. */
export interface PendingUpstreamStep {
  [key: string]: unknown;
  interactionUid: string;
  upstreamId: string;
  pending: UpstreamPending;
  /** The digest of the starting browser's binding cookie: only that browser's callback continues. */
  browser: string;
}

/**
 * Redirect steps between start and callback, in the store under the `state` sent to the upstream,
 * so any node can take the callback. `take` is single-use across nodes: a replayed or concurrent
 * callback with the same state finds nothing.
 */
export class PendingUpstreamSteps extends SingleUseRecords<PendingUpstreamStep> {
  constructor(store: Store, ttlSeconds: number) {
    super(store, 'UpstreamStep', ttlSeconds);
  }
}
