import { randomUUID } from 'node:crypto';
import type { Jobs } from '../store/store.ts';

export interface EnqueueOptions {
  /** Of all jobs with one key only the first is kept: a handler that runs twice adds its follow-up jobs once. */
  dedupeKey?: string;
  /** Not before this time; by default at once. */
  runAfter?: Date;
  /** Attempts before the job is given up; the outbox's default otherwise. */
  maxAttempts?: number;
}

/**
 * THE way to have something delivered later: one insert into the store's jobs, which every node's
 * JobRunner works from. It never waits for the delivery itself, so a request that enqueues is
 * never held up by a slow or absent receiver.
 */
export class Outbox {
  readonly #jobs: Jobs;
  readonly #maxAttempts: number;
  readonly #enqueued: () => void;

  /** `enqueued` is called after each new job (the local runner starts on it at once instead of at its next look). */
  constructor(jobs: Jobs, options: { maxAttempts?: number; enqueued?: () => void } = {}) {
    this.#jobs = jobs;
    this.#maxAttempts = options.maxAttempts ?? 12;
    this.#enqueued = options.enqueued ?? (() => {});
  }

  /** Resolves to false when a job with the same dedupe key exists (nothing was added). */
  async enqueue(kind: string, payload: Record<string, unknown>, options: EnqueueOptions = {}): Promise<boolean> {
    const now = new Date();
    const added = await this.#jobs.enqueue({
      id: randomUUID(),
      kind,
      payload,
      dedupeKey: options.dedupeKey ?? null,
      maxAttempts: options.maxAttempts ?? this.#maxAttempts,
      runAfter: options.runAfter ?? now,
      createdAt: now,
    });
    if (added) this.#enqueued();
    return added;
  }
}
