import type { Collection } from 'mongodb';
import { keyPrefixRange } from '../key-prefix-range.ts';
import type { CounterState, Counters } from '../store.ts';
import type { CounterDocument } from './mongo-documents.ts';
import { isDuplicateKeyError } from './mongo-errors.ts';

/** Each failed attempt means another caller changed the counter in between; a handful always suffices. */
const MAX_ATTEMPTS = 20;

function toState(document: CounterDocument): CounterState {
  return { count: document.count, resetAt: document.expiresAt };
}

/**
 * Windowed counters without aggregation-pipeline updates (FerretDB v1 has none). Each step is a
 * single-document operation whose filter states what it assumes, so concurrent callers on any
 * node never lose a hit:
 *   1. inside a live window: `$inc`;
 *   2. no live window: start one, either replacing the expired document (only while it is still
 *      expired, so two resetters cannot both reset) or inserting it (the unique _id lets one
 *      inserter win); whoever loses that race goes back to step 1 and counts in the new window.
 */
export class MongoCounters implements Counters {
  readonly #counters: Collection<CounterDocument>;

  constructor(counters: Collection<CounterDocument>) {
    this.#counters = counters;
  }

  async increment(key: string, windowSeconds: number): Promise<CounterState> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const now = new Date();
      const counted = await this.#counters.findOneAndUpdate(
        { _id: key, expiresAt: { $gt: now } },
        { $inc: { count: 1 } },
        { returnDocument: 'after' },
      );
      if (counted) return toState(counted);

      const resetAt = new Date(now.getTime() + windowSeconds * 1000);
      try {
        await this.#counters.updateOne(
          { _id: key, expiresAt: { $lte: now } },
          { $set: { count: 1, expiresAt: resetAt } },
          { upsert: true },
        );
        return { count: 1, resetAt };
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    throw new Error(`counter "${key}" kept changing under ${MAX_ATTEMPTS} attempts to increment it`);
  }

  async get(key: string): Promise<CounterState | undefined> {
    const document = await this.#counters.findOne({ _id: key, expiresAt: { $gt: new Date() } });
    return document ? toState(document) : undefined;
  }

  async decrement(key: string): Promise<void> {
    await this.#counters.updateOne({ _id: key, count: { $gt: 0 }, expiresAt: { $gt: new Date() } }, { $inc: { count: -1 } });
  }

  async reset(key: string): Promise<void> {
    await this.#counters.deleteOne({ _id: key });
  }

  async resetPrefix(prefix: string): Promise<number> {
    const { lower, upper } = keyPrefixRange(prefix);
    return (await this.#counters.deleteMany({ _id: { $gte: lower, $lt: upper } })).deletedCount;
  }
}
