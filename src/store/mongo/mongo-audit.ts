import { MongoBulkWriteError, type Collection, type Filter } from 'mongodb';
import type { AuditCheckpoint, AuditEventRecord, AuditEvents, AuditQuery, AuditSeal } from '../store.ts';
import { fromJsonText, toJsonText } from './json-text.ts';
import type { AuditCheckpointDocument, AuditEventDocument } from './mongo-documents.ts';
import { isDuplicateKeyError } from './mongo-errors.ts';

function toEvent(document: AuditEventDocument): AuditEventRecord {
  return {
    id: document._id,
    occurredAt: document.occurredAt,
    type: document.type,
    actor: document.actor,
    accountId: document.accountId,
    email: document.email,
    clientId: document.clientId,
    requestId: document.requestId,
    ip: document.ip,
    data: fromJsonText<Record<string, unknown>>(document.data),
    seq: document.seq ?? null,
    prevHash: document.prevHash ?? null,
    hash: document.hash ?? null,
  };
}

function toDocument(event: AuditEventRecord): AuditEventDocument {
  return {
    _id: event.id,
    occurredAt: event.occurredAt,
    type: event.type,
    actor: event.actor,
    accountId: event.accountId,
    email: event.email,
    clientId: event.clientId,
    requestId: event.requestId,
    ip: event.ip,
    data: toJsonText(event.data),
    pending: true,
  };
}

/**
 * Appends are plain inserts (no shared counter, no read of the head), so any number of nodes
 * append at once without contention; the sealer links them afterwards with single-document
 * conditional updates, and the unique `seq` index refuses a link a second sealer already made.
 */
export class MongoAuditEvents implements AuditEvents {
  readonly #events: Collection<AuditEventDocument>;
  readonly #checkpoints: Collection<AuditCheckpointDocument>;
  #waiting: Array<{ document: AuditEventDocument; resolve: () => void; reject: (error: unknown) => void }> = [];

  constructor(events: Collection<AuditEventDocument>, checkpoints: Collection<AuditCheckpointDocument>) {
    this.#events = events;
    this.#checkpoints = checkpoints;
  }

  /**
   * Group commit, as in the SQLite backend: the appends of one event-loop turn go to the server as
   * one unordered insertMany (one round trip, one majority acknowledgement); each caller learns
   * its own event's outcome.
   */
  append(event: AuditEventRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ document: toDocument(event), resolve, reject });
      if (this.#waiting.length === 1) setImmediate(() => void this.#flush());
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#waiting;
    this.#waiting = [];
    try {
      await this.#events.insertMany(batch.map((entry) => entry.document), { ordered: false });
      for (const entry of batch) entry.resolve();
    } catch (error) {
      const failed = new Map<number, unknown>();
      if (error instanceof MongoBulkWriteError) {
        const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
        for (const writeError of writeErrors) failed.set(writeError.index, writeError);
      }
      batch.forEach((entry, index) => {
        if (failed.size === 0) entry.reject(error);
        else if (failed.has(index)) entry.reject(failed.get(index));
        else entry.resolve();
      });
    }
  }

  async unsealed(limit: number): Promise<AuditEventRecord[]> {
    const documents = await this.#events.find({ pending: true }).sort({ occurredAt: 1, _id: 1 }).limit(limit).toArray();
    return documents.map(toEvent);
  }

  async head(): Promise<AuditEventRecord | undefined> {
    const [document] = await this.#events.find({ seq: { $exists: true } }).sort({ seq: -1 }).limit(1).toArray();
    return document ? toEvent(document) : undefined;
  }

  async seal(seals: AuditSeal[]): Promise<number> {
    let linked = 0;
    for (const seal of seals) {
      try {
        const result = await this.#events.updateOne(
          { _id: seal.id, pending: true },
          { $set: { seq: seal.seq, prevHash: seal.prevHash, hash: seal.hash }, $unset: { pending: '' } },
        );
        if (result.modifiedCount !== 1) break;
      } catch (error) {
        if (isDuplicateKeyError(error)) break;
        throw error;
      }
      linked += 1;
    }
    return linked;
  }

  async sealedFrom(fromSeq: number, limit: number): Promise<AuditEventRecord[]> {
    const documents = await this.#events.find({ seq: { $gte: fromSeq } }).sort({ seq: 1 }).limit(limit).toArray();
    return documents.map(toEvent);
  }

  async firstSealedAtOrAfter(date: Date): Promise<AuditEventRecord | undefined> {
    const [document] = await this.#events.find({ seq: { $exists: true }, occurredAt: { $gte: date } })
      .sort({ seq: 1 }).limit(1).toArray();
    return document ? toEvent(document) : undefined;
  }

  async query(query: AuditQuery): Promise<AuditEventRecord[]> {
    const filter: Filter<AuditEventDocument> = {};
    const who: Filter<AuditEventDocument>[] = [];
    if (query.accountId !== undefined) who.push({ accountId: query.accountId });
    if (query.email !== undefined) who.push({ email: query.email });
    if (who.length === 1) Object.assign(filter, who[0]);
    if (who.length > 1) filter.$or = who;
    if (query.type !== undefined) filter.type = query.type;
    if (query.since !== undefined) filter.occurredAt = { $gte: query.since };
    if (query.before !== undefined) {
      const { occurredAt, id } = query.before;
      filter.$and = [{ $or: [{ occurredAt: { $lt: occurredAt } }, { occurredAt, _id: { $lt: id } }] }];
    }
    const documents = await this.#events.find(filter).sort({ occurredAt: -1, _id: -1 }).limit(query.limit).toArray();
    return documents.map(toEvent);
  }

  async pruneThrough(throughSeq: number): Promise<number> {
    return (await this.#events.deleteMany({ seq: { $lte: throughSeq } })).deletedCount;
  }

  async addCheckpoint(checkpoint: AuditCheckpoint): Promise<void> {
    try {
      await this.#checkpoints.insertOne({ _id: `${checkpoint.kind}:${checkpoint.seq}`, ...checkpoint });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  async checkpoints(): Promise<AuditCheckpoint[]> {
    const documents = await this.#checkpoints.find().sort({ kind: 1, seq: 1 }).toArray();
    return documents.map(({ kind, seq, hash, signedAt, jws }) => ({ kind, seq, hash, signedAt, jws }));
  }
}
