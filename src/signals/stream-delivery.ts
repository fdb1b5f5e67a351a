import type { Outbox } from '../jobs/outbox.ts';
import type { StreamRecord, Streams } from '../store/store.ts';
import { PUSH_DELIVERY } from './event-types.ts';
import type { SetClaims } from './security-event-token.ts';

export const SSF_PUSH_JOB = 'ssf.push';

/**
 * Puts a SET on a stream: an enabled push stream gets a push job in the outbox; a poll stream
 * keeps it until its receiver acknowledges it; a paused stream keeps it until it is enabled again;
 * a disabled stream drops it (SSF 1.0 §8.1.2).
 */
export class StreamDelivery {
  readonly #streams: Streams;
  readonly #outbox: Outbox;

  constructor(streams: Streams, outbox: Outbox) {
    this.#streams = streams;
    this.#outbox = outbox;
  }

  /** The SET's jti names it once per stream: a fan-out that runs twice enqueues its push once. */
  async deliver(stream: StreamRecord, claims: SetClaims): Promise<void> {
    if (stream.status === 'disabled') return;
    if (stream.deliveryMethod === PUSH_DELIVERY && stream.status === 'enabled') {
      await this.#outbox.enqueue(SSF_PUSH_JOB, { streamId: stream.id, claims }, { dedupeKey: `ssf.push:${stream.id}:${claims.jti}` });
      return;
    }
    await this.hold(stream, claims);
  }

  async hold(stream: StreamRecord, claims: SetClaims): Promise<void> {
    await this.#streams.hold(stream.id, { jti: claims.jti, claims, createdAt: new Date() });
  }

  /** A push stream enabled again sends what it held while paused, oldest first. */
  async releaseHeld(stream: StreamRecord): Promise<void> {
    if (stream.deliveryMethod !== PUSH_DELIVERY || stream.status !== 'enabled') return;
    for (;;) {
      const held = await this.#streams.held(stream.id, 100);
      if (held.length === 0) return;
      // No dedupe key: a SET held by a push job that found the stream paused has a finished job
      // under its key already. A release that fails half-way and is repeated may push twice.
      for (const set of held) await this.#outbox.enqueue(SSF_PUSH_JOB, { streamId: stream.id, claims: set.claims });
      await this.#streams.release(stream.id, held.map((set) => set.jti));
    }
  }

  /** A disabled stream holds nothing (SSF 1.0 §8.1.2): what it held is dropped. */
  async dropHeld(stream: StreamRecord): Promise<void> {
    for (;;) {
      const held = await this.#streams.held(stream.id, 500);
      if (held.length === 0) return;
      await this.#streams.release(stream.id, held.map((set) => set.jti));
    }
  }
}
