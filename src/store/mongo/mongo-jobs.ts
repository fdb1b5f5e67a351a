import { randomUUID } from 'node:crypto';
import type { Collection, Filter } from 'mongodb';
import type { ClaimedJob, JobQuery, JobRecord, Jobs, NewJob } from '../store.ts';
import { fromJsonText, toJsonText } from './json-text.ts';
import type { JobDocument } from './mongo-documents.ts';
import { isDuplicateKeyError } from './mongo-errors.ts';

function toJob(document: JobDocument): JobRecord {
  return {
    id: document._id,
    kind: document.kind,
    payload: fromJsonText<Record<string, unknown>>(document.payload),
    state: document.state,
    dedupeKey: document.dedupeKey ?? null,
    attempts: document.attempts,
    maxAttempts: document.maxAttempts,
    runAfter: document.runAfter,
    leaseHolder: document.leaseHolder,
    lastError: document.lastError,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
  };
}

const FAILED: Filter<JobDocument> = { $or: [{ state: 'dead' }, { state: 'pending', lastError: { $ne: null } }] };

/**
 * Every state change is one single-document conditional update, which MongoDB applies atomically:
 * a claim matches only a due pending job, a completion or failure only the claim that holds it.
 */
export class MongoJobs implements Jobs {
  readonly #jobs: Collection<JobDocument>;

  constructor(jobs: Collection<JobDocument>) {
    this.#jobs = jobs;
  }

  async enqueue(job: NewJob): Promise<boolean> {
    try {
      await this.#jobs.insertOne({
        _id: job.id,
        kind: job.kind,
        payload: toJsonText(job.payload),
        state: 'pending',
        ...(job.dedupeKey === null ? {} : { dedupeKey: job.dedupeKey }),
        attempts: 0,
        maxAttempts: job.maxAttempts,
        runAfter: job.runAfter,
        leaseHolder: null,
        leaseToken: null,
        lastError: null,
        createdAt: job.createdAt,
        updatedAt: job.createdAt,
      });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async claim(kinds: readonly string[], holder: string, leaseSeconds: number, now = new Date()): Promise<ClaimedJob | undefined> {
    const leaseToken = randomUUID();
    const claimed = await this.#jobs.findOneAndUpdate(
      { state: 'pending', kind: { $in: [...kinds] }, runAfter: { $lte: now } },
      {
        $set: { runAfter: new Date(now.getTime() + leaseSeconds * 1000), leaseHolder: holder, leaseToken, updatedAt: now },
        $inc: { attempts: 1 },
      },
      { sort: { runAfter: 1, _id: 1 }, returnDocument: 'after' },
    );
    return claimed ? { ...toJob(claimed), leaseToken } : undefined;
  }

  async complete(id: string, leaseToken: string, now = new Date()): Promise<boolean> {
    const result = await this.#jobs.updateOne(
      { _id: id, leaseToken, state: 'pending' },
      { $set: { state: 'done', leaseToken: null, updatedAt: now } },
    );
    return result.modifiedCount === 1;
  }

  async fail(id: string, leaseToken: string, error: string, retryAt: Date | null, now = new Date()): Promise<boolean> {
    const result = await this.#jobs.updateOne(
      { _id: id, leaseToken, state: 'pending' },
      { $set: { state: retryAt ? 'pending' : 'dead', runAfter: retryAt ?? now, lastError: error, leaseToken: null, updatedAt: now } },
    );
    return result.modifiedCount === 1;
  }

  async find(id: string): Promise<JobRecord | undefined> {
    const document = await this.#jobs.findOne({ _id: id });
    return document ? toJob(document) : undefined;
  }

  async list(query: JobQuery): Promise<JobRecord[]> {
    const documents = await this.#jobs.find(query.failedOnly ? FAILED : {}).sort({ createdAt: -1, _id: -1 }).limit(query.limit).toArray();
    return documents.map(toJob);
  }

  async retry(id: string, now = new Date()): Promise<boolean> {
    const result = await this.#jobs.updateOne(
      { _id: id, $or: [{ state: 'dead' }, { state: 'pending', $or: [{ leaseToken: null }, { runAfter: { $lte: now } }] }] },
      { $set: { state: 'pending', attempts: 0, runAfter: now, leaseToken: null, updatedAt: now } },
    );
    return result.modifiedCount === 1;
  }

  async purge(state: 'done' | 'dead', before: Date): Promise<number> {
    return (await this.#jobs.deleteMany({ state, updatedAt: { $lt: before } })).deletedCount;
  }
}
