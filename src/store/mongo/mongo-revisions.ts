import type { Collection } from 'mongodb';
import type { RevisionDocument } from './mongo-documents.ts';

/**
 * A number beside a collection that every write to it bumps, so caches on every node can notice
 * a change. Any bump changes the value, which is all a cache needs; an increment lost to a race still changes it.
 */
export class MongoRevision {
  readonly #revisions: Collection<RevisionDocument>;
  readonly #name: string;

  constructor(revisions: Collection<RevisionDocument>, name: string) {
    this.#revisions = revisions;
    this.#name = name;
  }

  async bump(): Promise<void> {
    await this.#revisions.updateOne({ _id: this.#name }, { $inc: { revision: 1 } }, { upsert: true });
  }

  async current(): Promise<number> {
    return (await this.#revisions.findOne({ _id: this.#name }))?.revision ?? 0;
  }
}
