import type { Collection } from 'mongodb';
import { DuplicateError } from '../store-errors.ts';
import type { HeldSet, StreamPatch, StreamRecord, Streams } from '../store.ts';
import { fromJsonText, toJsonText } from './json-text.ts';
import type { HeldSetDocument, StreamDocument, StreamSubjectDocument } from './mongo-documents.ts';
import { isDuplicateKeyError } from './mongo-errors.ts';

function toStream(document: StreamDocument): StreamRecord {
  const { _id, ...fields } = document;
  return { id: _id, ...fields };
}

const pairId = (streamId: string, key: string) => JSON.stringify([streamId, key]);

export interface StreamCollections {
  streams: Collection<StreamDocument>;
  streamSubjects: Collection<StreamSubjectDocument>;
  heldSets: Collection<HeldSetDocument>;
}

export class MongoStreams implements Streams {
  readonly #streams: Collection<StreamDocument>;
  readonly #subjects: Collection<StreamSubjectDocument>;
  readonly #held: Collection<HeldSetDocument>;

  constructor(collections: StreamCollections) {
    this.#streams = collections.streams;
    this.#subjects = collections.streamSubjects;
    this.#held = collections.heldSets;
  }

  async create(stream: StreamRecord): Promise<void> {
    const { id, ...fields } = stream;
    try {
      await this.#streams.insertOne({ _id: id, ...fields });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new DuplicateError('stream', 'id', id);
      throw error;
    }
  }

  async find(id: string): Promise<StreamRecord | undefined> {
    const document = await this.#streams.findOne({ _id: id });
    return document ? toStream(document) : undefined;
  }

  async listByClient(clientId: string): Promise<StreamRecord[]> {
    return (await this.#streams.find({ clientId }).sort({ createdAt: 1, _id: 1 }).toArray()).map(toStream);
  }

  async list(): Promise<StreamRecord[]> {
    return (await this.#streams.find().sort({ createdAt: 1, _id: 1 }).toArray()).map(toStream);
  }

  async update(id: string, patch: StreamPatch): Promise<StreamRecord | undefined> {
    const updated = await this.#streams.findOneAndUpdate(
      { _id: id },
      { $set: { ...patch, updatedAt: new Date() } },
      { returnDocument: 'after' },
    );
    return updated ? toStream(updated) : undefined;
  }

  async replaceAuthorizationHeader(id: string, expected: string, next: string): Promise<boolean> {
    const result = await this.#streams.updateOne({ _id: id, authorizationHeader: expected }, { $set: { authorizationHeader: next } });
    return result.modifiedCount === 1;
  }

  async remove(id: string): Promise<boolean> {
    const { deletedCount } = await this.#streams.deleteOne({ _id: id });
    await Promise.all([this.#subjects.deleteMany({ streamId: id }), this.#held.deleteMany({ streamId: id })]);
    return deletedCount === 1;
  }

  async setSubject(streamId: string, subjectKey: string, included: boolean): Promise<void> {
    await this.#subjects.replaceOne({ _id: pairId(streamId, subjectKey) }, { streamId, included }, { upsert: true });
  }

  async subjectStates(streamId: string, subjectKeys: readonly string[]): Promise<Map<string, boolean>> {
    const ids = new Map(subjectKeys.map((key) => [pairId(streamId, key), key]));
    const documents = await this.#subjects.find({ _id: { $in: [...ids.keys()] } }).toArray();
    return new Map(documents.map((document) => [ids.get(document._id)!, document.included]));
  }

  async hold(streamId: string, set: HeldSet): Promise<void> {
    try {
      await this.#held.insertOne({
        _id: pairId(streamId, set.jti), streamId, jti: set.jti, claims: toJsonText(set.claims), createdAt: set.createdAt,
      });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  async held(streamId: string, limit: number): Promise<HeldSet[]> {
    const documents = await this.#held.find({ streamId }).sort({ createdAt: 1, jti: 1 }).limit(limit).toArray();
    return documents.map((document) => ({ jti: document.jti, claims: fromJsonText<Record<string, unknown>>(document.claims), createdAt: document.createdAt }));
  }

  async release(streamId: string, jtis: readonly string[]): Promise<number> {
    if (jtis.length === 0) return 0;
    const { deletedCount } = await this.#held.deleteMany({ _id: { $in: jtis.map((jti) => pairId(streamId, jti)) } });
    return deletedCount;
  }
}
